"""The judges' queue in a real Chromium: every decision by the keyboard, none by mistake."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.conftest import PASSWORD
from webapp.models import Review, Submission

pytestmark = pytest.mark.browser


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="en-GB"
    )
    yield context
    context.close()


@pytest.fixture
def three_waiting(make, clock, session):
    clock.value = real_now()
    event = make.event(make.account("ani@example.org"), hours=8)
    make.judge(event, make.account("juri@example.org", name="Juri"))
    group = make.group(event, "Elang")
    task = make.task(event, "text", title="Refleksi", points=20)
    subs = [
        make.submission(
            event,
            group,
            task,
            idempotency_key=f"k{n}",
            status="pending",
            answer=f"Jawaban {n}",
            received_at=clock.value + timedelta(minutes=n),
        )
        for n in range(3)
    ]
    return event, subs


def decisions(session) -> dict[int, tuple[str, str]]:
    session.rollback()  # a fresh snapshot: the server wrote since
    return {
        review.submission_id: (review.decision, review.comment)
        for review in session.exec(select(Review))
    }


def test_a_judge_skips_rejects_with_a_comment_and_accepts_by_the_keyboard(
    laptop, three_waiting, session
):
    event, (first, second, third) = three_waiting
    page = laptop.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "juri@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.primary")
    page.goto(f"/review/events/{event.id}/")
    expect(page.locator(".answer")).to_have_text("Jawaban 0")

    page.keyboard.press("s")  # not sure about this one: skip it
    expect(page.locator(".answer")).to_have_text("Jawaban 1")

    page.keyboard.press("r")  # reject: the comment box opens; Enter there rejects
    expect(page.locator("#comment")).to_be_focused()
    page.keyboard.type("Foto tidak sesuai tugas")
    page.keyboard.press("Enter")
    expect(page.locator(".answer")).to_have_text("Jawaban 2")
    assert decisions(session) == {second.id: ("reject", "Foto tidak sesuai tugas")}

    page.locator("#comment").fill("Bagus sekali")  # a comment, then Enter: not an accept
    page.locator("#comment").press("Enter")
    expect(page.locator("#comment-hint")).to_be_visible()
    assert third.id not in decisions(session)
    page.locator("#comment").press("Escape")
    page.keyboard.press("a")
    expect(page.get_by_text("Only the submissions you skipped are waiting.")).to_be_visible()
    assert decisions(session)[third.id] == ("accept", "Bagus sekali")
    session.rollback()
    assert session.get(Submission, first.id).status == "pending"
    page.get_by_text("Go through them again").click()
    expect(page.locator(".answer")).to_have_text("Jawaban 0")
