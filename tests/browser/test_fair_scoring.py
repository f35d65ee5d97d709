"""Fair scoring in a real Chromium: a rubric scored in full by the keys, and the organiser's
log and adjustments as a person reads them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.conftest import PASSWORD
from webapp.models import Review
from webapp.services import judging

pytestmark = pytest.mark.browser


@pytest.fixture
def laptop(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="en-GB"
    )
    yield context
    context.close()


@pytest.fixture
def photo_waiting(make, clock):
    clock.value = real_now()
    event = make.event(make.account("ani@example.org", name="Ani"), hours=8)
    judge = make.judge(event, make.account("juri@example.org", name="Juri"))
    group = make.group(event, "Elang")
    task = make.task(
        event,
        "text",
        title="Refleksi",
        points=40,
        rubric=[{"name": "Isi", "max": 6}, {"name": "Kerja sama", "max": 4}],
    )
    sub = make.submission(
        event,
        group,
        task,
        status="pending",
        answer="Pelayanan yang cepat",
        received_at=clock.value + timedelta(minutes=1),
    )
    return event, judge, group, sub


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.primary")


def test_an_accept_without_the_rubric_is_refused_at_the_fields_and_the_keys_still_work(
    laptop, photo_waiting, session, shots
):
    event, _judge, _group, sub = photo_waiting
    page = laptop.new_page()
    log_in(page, "juri@example.org")
    page.goto(f"/review/events/{event.id}/")
    expect(page.locator(".answer")).to_have_text("Pelayanan yang cepat")
    page.keyboard.press("a")  # accept at once, no score: refused, at each criterion
    errors = page.locator(".rubric .error")
    expect(errors).to_have_text(["Give a score from 0 to 6.", "Give a score from 0 to 4."])
    expect(page.get_by_role("alert")).to_have_text(
        "Score every criterion of the rubric before accepting."
    )
    page.screenshot(path=str(shots / "review-rubric-refused.png"))
    session.rollback()
    assert session.exec(select(Review)).all() == []
    page.keyboard.press("5")  # the digits fill the empty criteria, in order
    page.keyboard.press("3")
    expect(page.locator("input[name='rubric:Isi']")).to_have_value("5")
    page.keyboard.press("a")
    expect(page.get_by_text("Nothing is waiting for a judge.")).to_be_visible()
    session.rollback()
    review = session.exec(select(Review).where(Review.submission_id == sub.id)).one()
    assert (review.decision, review.rubric) == ("accept", {"Isi": 5.0, "Kerja sama": 3.0})


def test_the_organiser_withdraws_an_adjustment_and_reads_it_in_the_log(
    laptop, photo_waiting, make, session, clock, shots
):
    event, judge, group, _sub = photo_waiting
    judging.add_adjustment(
        session,
        event=event,
        group_id=group.id,
        points=-5,
        reason="Terlambat apel",
        actor=judge,
        now=clock(),
    )
    session.commit()
    page = laptop.new_page()
    log_in(page, "ani@example.org")
    page.goto(f"/organiser/events/{event.id}/adjustments")
    page.get_by_label("Why withdraw it").fill("Salah kelompok")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("Adjustment withdrawn; it no longer counts.")).to_be_visible()
    struck = page.locator("tr.withdrawn del", has_text="Terlambat apel")
    expect(struck).to_be_visible()
    assert "line-through" in struck.evaluate("node => getComputedStyle(node).textDecorationLine")
    expect(page.get_by_text("Withdrawn by Ani at")).to_contain_text("Salah kelompok")
    page.screenshot(path=str(shots / "adjustment-withdrawn.png"), full_page=True)
    page.get_by_role("link", name="Log of adjustments").click()
    rows = page.locator("table.audit-log tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Adjustment withdrawn")
    expect(rows.first).to_contain_text("Salah kelompok")
    expect(rows.nth(1)).to_contain_text("Adjustment added")
    page.screenshot(path=str(shots / "audit-log.png"), full_page=True)
    page.goto(f"/organiser/events/{event.id}/standings")
    expect(page.locator(".tie-break")).to_have_text(
        "Groups with equal points are ranked by more tasks completed, then who reached their "
        "final score first; groups equal on that too share a place."
    )
