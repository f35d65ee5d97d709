"""The projector board in a real Chromium: it follows a judge within seconds, and the finish."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.conftest import REPO
from webapp.domain.taskset import load_taskset_file
from webapp.models import Task
from webapp.services import board, judging, tasksets

pytestmark = pytest.mark.browser


@pytest.fixture
def projector(chromium, live_server):
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, base_url=live_server.url
    )
    yield context
    context.close()


@pytest.fixture
def running(make, clock, session):
    """The demo event (tasks/demo.toml) with four groups, two of which scored already."""
    clock.value = real_now()
    owner = make.account("ani@example.org")
    event = tasksets.create_event(
        session,
        taskset=load_taskset_file(REPO / "tasks" / "demo.toml"),
        owner=owner,
        now=clock(),
        group_count=4,
        local_start=clock.value.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m-%dT%H:%M"),
    )
    event.ends_at = clock.value + timedelta(hours=8)
    session.commit()
    judge = make.judge(event, make.account("juri@example.org", name="Juri"))
    groups = tasksets.groups.groups_of(session, event.id)
    tasks = {task.key: task for task in session.exec(select(Task).where(Task.event_id == event.id))}
    for group in (groups[0], groups[3]):
        make.submission(
            event,
            group,
            tasks["tahun-berdiri"],
            idempotency_key=f"q{group.id}",
            status="accepted",
            answer="1949",
        )
    pending = make.submission(
        event,
        groups[2],
        tasks["refleksi"],
        idempotency_key="r1",
        status="pending",
        answer="Pelayanan ramah",
        received_at=clock.value + timedelta(minutes=1),
    )
    return event, judge, groups, pending


FULL = {"Ketajaman pengamatan": 5, "Penerapan": 5}  # the reflection's rubric, in full


def ranked_names(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('.row')]
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((row) => row.querySelector('.name').textContent)""")


def test_the_board_follows_a_judges_decision_within_five_seconds(
    projector, running, session, clock, shots
):
    event, judge, groups, pending = running
    page = projector.new_page()
    page.goto(f"/board/{event.board_token}")
    expect(page.locator(".row")).to_have_count(4)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(shots / "board-1920x1080.png"))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "board-1280x720.png"))
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=pending.id,
        decision="accept",
        rubric=FULL,
        now=clock(),
    )
    session.commit()
    third = page.locator(".row", has_text=groups[2].name)
    expect(third.locator(".points")).to_have_text("25", timeout=5000)
    page.wait_for_timeout(1500)  # the rows glide to their new places
    assert ranked_names(page)[0] == groups[2].name


def test_the_board_follows_the_freeze_and_the_reveal(projector, running, session, clock):
    event, judge, groups, pending = running
    page = projector.new_page()
    page.goto(f"/board/{event.board_token}")
    expect(page.locator(".row")).to_have_count(4)
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock.value)
    session.commit()
    expect(page.locator("#phase")).to_be_visible(timeout=5000)
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=pending.id,
        decision="accept",
        rubric=FULL,
        now=clock.value + timedelta(minutes=2),
    )
    session.commit()
    page.wait_for_timeout(4000)
    expect(page.locator(".row", has_text=groups[2].name).locator(".points")).to_have_text("0")
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=1)
    session.commit()
    expect(page.locator(".row")).to_have_count(1, timeout=5000)
    assert ranked_names(page) == [groups[1].name]  # last place first
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=4)
    session.commit()
    expect(page.locator(".row")).to_have_count(4, timeout=5000)
    page.wait_for_timeout(1500)
    assert ranked_names(page)[0] == groups[2].name
