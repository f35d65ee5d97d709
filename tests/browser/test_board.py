"""The projector board in a real Chromium: it follows a judge within seconds, and the finish."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.boards import (
    FieldDay,
    assert_rows_in_rank_order,
    field_day,
    landscape_photo,
    serve_tiles_locally,
)
from tests.browser.conftest import real_now
from tests.conftest import PASSWORD, REPO
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
    projector, running, session, clock
):
    event, judge, groups, pending = running
    page = projector.new_page()
    page.goto(f"/board/{event.board_token}")
    expect(page.locator(".row")).to_have_count(4)
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
    expect(page.locator("#tie-break")).to_contain_text("berbagi peringkat")  # how ties go
    board.update(session, event=event, actor=judge, now=clock(), reveal_step=4)
    session.commit()
    expect(page.locator(".row")).to_have_count(4, timeout=5000)
    page.wait_for_timeout(1500)
    assert ranked_names(page)[0] == groups[2].name


@pytest.fixture
def wall(chromium, live_server):
    """The projector laptop, whose map tiles come from this machine."""
    context = chromium.new_context(
        viewport={"width": 1920, "height": 1080}, base_url=live_server.url
    )
    serve_tiles_locally(context)
    yield context
    context.close()


def four_groups(make, session, clock, live_server) -> FieldDay:
    """Four groups, one photo on the board and one group at the fort, so that the board
    rotates through standings, photos and map."""
    day = field_day(make, session, clock, live_server, ["Elang", "Rajawali", "Garuda", "Merak"])
    elang, rajawali, garuda, merak = day.groups
    day.send_photo(elang, landscape_photo())  # Elang 10, and at the fort
    day.add(rajawali, 30)
    day.add(garuda, 20)
    return day


def names(day: FieldDay, *order: int) -> list[str]:
    return [day.groups[n].name for n in order]


def test_rows_are_laid_out_after_changes_made_while_photos_or_the_map_showed(
    wall, make, session, clock, live_server
):
    day = four_groups(make, session, clock, live_server)
    board.update(
        session, event=day.event, actor=day.organiser, now=clock(), board_rotation_seconds=5
    )
    session.commit()
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(".row")).to_have_count(4)
    assert_rows_in_rank_order(page, names(day, 1, 2, 0, 3))

    expect(page.locator("#view-photos")).to_be_visible(timeout=8000)
    day.add(day.groups[3], 100)  # Merak to the top while the photos show
    merak = page.locator(".row", has_text="Merak").locator(".points")
    expect(merak).to_have_text("100", timeout=5000)
    expect(page.locator("#view-standings")).to_be_hidden()  # it arrived behind the photos
    expect(page.locator("#view-map")).to_be_visible(timeout=8000)
    expect(page.locator(".group-tip", has_text="Elang")).to_be_visible()
    day.add(day.groups[0], 200)  # Elang to the top while the map shows
    expect(page.locator(".row", has_text="Elang").locator(".points")).to_have_text("210")
    expect(page.locator("#view-standings")).to_be_visible(timeout=8000)
    page.wait_for_timeout(1500)  # the rows glide to their places
    assert_rows_in_rank_order(page, names(day, 0, 3, 1, 2))


def test_rows_are_laid_out_after_choosing_standings_only_and_after_a_resize(
    wall, chromium, make, session, clock, live_server
):
    day = four_groups(make, session, clock, live_server)
    board.update(session, event=day.event, actor=day.organiser, now=clock(), board_view="photos")
    session.commit()
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator("#view-photos")).to_be_visible()
    day.add(day.groups[3], 100)
    expect(page.locator(".row", has_text="Merak").locator(".points")).to_have_text("100")

    laptop = chromium.new_context(
        viewport={"width": 1366, "height": 768}, locale="en-GB", base_url=live_server.url
    )
    control = laptop.new_page()
    control.goto("/login")
    control.fill("input[name=email]", "ani@example.org")
    control.fill("input[name=password]", PASSWORD)
    control.click("form button.primary")
    control.goto(f"/organiser/events/{day.event.id}/board")
    control.select_option("select[name=view]", "standings")
    control.get_by_role("button", name=re.compile("^(Apply|Terapkan)$")).click()
    laptop.close()

    expect(page.locator("#view-standings")).to_be_visible(timeout=5000)
    page.wait_for_timeout(1500)
    big = assert_rows_in_rank_order(page, names(day, 3, 1, 2, 0))
    page.set_viewport_size({"width": 1280, "height": 720})  # the projector changes resolution
    page.wait_for_timeout(300)
    small = assert_rows_in_rank_order(page, names(day, 3, 1, 2, 0))
    assert small[0]["height"] < big[0]["height"]
    page.set_viewport_size({"width": 768, "height": 1024})  # a screen turned upright
    page.wait_for_timeout(300)
    assert_rows_in_rank_order(page, names(day, 3, 1, 2, 0))


def test_the_clock_names_the_events_zone(wall, make, session, clock, live_server):
    day = four_groups(make, session, clock, live_server)
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d WITA$"))
    page.wait_for_timeout(1200)  # the next tick keeps it
    expect(page.locator("#clock")).to_have_text(re.compile(r"^\d\d:\d\d WITA$"))


def test_a_replaced_board_link_says_so_on_the_old_board(wall, make, session, clock, live_server):
    day = four_groups(make, session, clock, live_server)
    page = wall.new_page()
    page.goto(f"/board/{day.event.board_token}")
    expect(page.locator(".row")).to_have_count(4)
    board.new_link(session, event=day.event, actor=day.organiser, now=clock())
    session.commit()
    expect(page.locator("#stale")).to_contain_text(
        "tautan papan skor ini sudah diganti", ignore_case=True, timeout=8000
    )
