"""A phone page left open in Chromium at 360 px: it follows the judges, the organisers and
the clock by itself, keeps what the person types, and shows late work with its cost."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from tests.browser.conftest import real_now
from tests.browser.test_phone import join, ready, stored
from webapp.models import Submission
from webapp.services import board, judging, submissions

pytestmark = pytest.mark.browser

SOON = 15_000  # a poll every 5 s, and a page fetched again when it changed


@pytest.fixture
def day(make, clock, session):
    clock.value = real_now()
    event = make.event(title="Jelajah Kota Makassar", hours=3)
    group = make.group(event, "Kelompok Elang")
    judge = make.judge(event)
    return event, group, judge


def now() -> datetime:
    return datetime.now(UTC)


def local(event, moment: datetime) -> str:
    """A window time as a task set writes it, to the second, in the event's zone."""
    return moment.astimezone(ZoneInfo(event.timezone)).replace(tzinfo=None).isoformat()


def member_sends(session, group, task, answer, key):
    """Another member of the group, on another phone, sends an answer."""
    from tests.conftest import Factory

    member = Factory(session, real_now).participant(group, "Budi")
    received = submissions.submit(
        session,
        participant=member,
        task_id=task.id,
        sent=submissions.Sent(key=key, answer=answer),
        now=now(),
    )
    session.commit()
    return received.submission


def decide(session, event, judge, sub, decision, comment=""):
    judging.decide(
        session,
        event=event,
        judge=judge,
        submission_id=sub.id,
        decision=decision,
        comment=comment,
        now=now(),
    )
    session.commit()


def card(page, title):
    return page.locator("#task-list li").filter(has=page.get_by_text(title, exact=True))


def test_the_task_list_follows_judges_members_and_organisers_without_a_reload(
    small_phone, day, make, session, shots
):
    event, group, judge = day
    mosque = make.task(event, "text", title="Nama masjid terbesar", points=10)
    fort = make.task(event, "text", title="Tahun berdiri benteng", points=10)
    after = make.task(event, "text", title="Refleksi sesudah benteng", unlocks_after_id=fort.id)
    sent = member_sends(session, group, mosque, "Masjid Raya", "m1")
    page = small_phone().new_page()
    join(page, group)
    page.evaluate("window.sameDocument = true")
    expect(card(page, mosque.title)).to_contain_text("waiting for a judge")
    expect(card(page, after.title)).to_contain_text(f"opens when «{fort.title}» is done")

    decide(session, event, judge, sent, "accept")
    expect(card(page, mosque.title)).to_contain_text("approved", timeout=SOON)

    member_sends(session, group, fort, "1545", "f1")
    expect(card(page, fort.title)).to_contain_text("waiting for a judge", timeout=SOON)
    expect(card(page, after.title)).to_contain_text("open", timeout=SOON)
    expect(card(page, after.title).locator(".countdown")).to_be_visible()

    board.announce(
        session, event=event, text="Makan siang di Losari", on_board=True, actor=judge, now=now()
    )
    session.commit()
    expect(page.locator(".announcement")).to_contain_text("Makan siang di Losari", timeout=SOON)

    fort_sent = session.exec(select(Submission).where(Submission.task_id == fort.id)).one()
    decide(session, event, judge, fort_sent, "redo", "Tulis tahun lengkap")
    expect(card(page, fort.title)).to_contain_text("please redo", timeout=SOON)
    expect(card(page, fort.title)).to_contain_text("Judge: Tulis tahun lengkap")
    assert page.evaluate("window.sameDocument") is True  # updated in place, never reloaded
    expect(page.locator("#updated")).to_contain_text(re.compile(r"Updated \d\d:\d\d WITA"))
    page.screenshot(path=str(shots / "phone-tasks-360.png"))


def test_the_task_page_opens_for_a_redo_and_keeps_what_is_typed(
    small_phone, day, make, session, shots
):
    event, group, judge = day
    task = make.task(event, "text", title="Nama masjid terbesar", instructions="Tulis namanya.")
    sent = member_sends(session, group, task, "Masjid", "m1")
    page = small_phone().new_page()
    join(page, group)
    page.goto(f"/play/tasks/{task.id}")
    ready(page)
    page.evaluate("window.sameDocument = true")
    expect(page.locator("#send-form")).to_have_count(0)

    decide(session, event, judge, sent, "redo", "Tulis nama lengkapnya")
    expect(page.locator(".task-meta .state")).to_have_text("please redo", timeout=SOON)
    expect(page.locator(".comment")).to_contain_text("Tulis nama lengkapnya")
    page.fill("textarea[name=answer]", "Masjid Raya Makas")

    board.announce(
        session, event=event, text="Hujan: berteduh dulu", on_board=False, actor=judge, now=now()
    )
    session.commit()
    expect(page.locator(".announcement")).to_contain_text("Hujan", timeout=SOON)
    expect(page.locator("textarea[name=answer]")).to_have_value("Masjid Raya Makas")
    page.screenshot(path=str(shots / "phone-task-360.png"))
    page.locator("textarea[name=answer]").press_sequentially("sar")
    page.click("#send-form button.primary")
    expect(page.locator(".task-meta .state")).to_have_text("waiting for a judge", timeout=SOON)
    assert page.evaluate("window.sameDocument") is True
    assert [s.answer for s in stored(session)][-1] == "Masjid Raya Makassar"


def test_the_page_follows_the_clock_when_a_task_opens_and_when_a_deadline_passes(
    small_phone, day, make
):
    event, group, judge = day
    soon, deadline = now() + timedelta(seconds=8), now() + timedelta(seconds=10)
    opening = make.task(
        event,
        "text",
        title="Pengumuman siang",
        window={"opens": local(event, soon), "closes": local(event, soon + timedelta(hours=1))},
    )
    penalised = make.task(
        event,
        "text",
        title="Refleksi cepat",
        window={
            "opens": local(event, now() - timedelta(hours=1)),
            "closes": local(event, deadline),
        },
        late={"policy": "penalty_points", "value": 5},
    )
    strict = make.task(
        event,
        "text",
        title="Kuis kilat",
        window={
            "opens": local(event, now() - timedelta(hours=1)),
            "closes": local(event, deadline),
        },
        late={"policy": "refuse"},
    )
    page = small_phone().new_page()
    join(page, group)
    expect(card(page, opening.title)).to_contain_text("opens at")
    expect(card(page, opening.title)).to_contain_text("open", timeout=SOON)
    expect(card(page, opening.title).locator(".countdown")).to_be_visible(timeout=SOON)
    expect(card(page, penalised.title)).to_contain_text(
        "Deadline passed 1 minute ago: sending now costs 5 points.", timeout=SOON
    )
    expect(card(page, strict.title).locator(".state")).to_have_text("closed", timeout=SOON)

    page.goto(f"/play/tasks/{strict.id}")
    ready(page)
    expect(page.locator("#send-form")).to_have_count(0)


def test_a_late_task_shows_its_form_and_what_lateness_costs(small_phone, day, make, session, shots):
    event, group, judge = day
    task = make.task(
        event,
        "text",
        title="Refleksi pagi",
        instructions="Tulis satu pelajaran dari kunjungan pagi ini.",
        points=20,
        window={
            "opens": local(event, now() - timedelta(hours=1)),
            "closes": local(event, now() - timedelta(minutes=12, seconds=20)),
        },
        late={"policy": "penalty_points", "value": 5},
    )
    page = small_phone().new_page()
    join(page, group)
    expect(card(page, task.title)).to_contain_text("late, still open")
    page.goto(f"/play/tasks/{task.id}")
    ready(page)
    note = page.locator(".late-note")
    expect(note).to_have_text("Deadline passed 12 minutes ago: sending now costs 5 points.")
    form = page.locator("#send-form")
    expect(form).to_be_visible()
    assert note.bounding_box()["y"] < form.bounding_box()["y"]  # read before sending
    page.fill("textarea[name=answer]", "Pelayanan terpadu satu pintu mempercepat izin.")
    page.screenshot(path=str(shots / "phone-late.png"))
    page.click("#send-form button.primary")
    expect(page.locator(".task-meta .state")).to_have_text("waiting for a judge", timeout=SOON)
    late = stored(session)[0]
    assert 12 <= late.late_minutes < 14


def test_late_work_in_indonesian_counts_for_nothing_but_is_kept(small_phone, day, make):
    event, group, judge = day
    task = make.task(
        event,
        "text",
        title="Refleksi pagi",
        window={
            "opens": local(event, now() - timedelta(hours=1)),
            "closes": local(event, now() - timedelta(minutes=3, seconds=20)),
        },
        late={"policy": "zero"},
    )
    page = small_phone(locale="id-ID").new_page()
    join(page, group)
    page.goto(f"/play/tasks/{task.id}")
    ready(page)
    expect(page.locator(".late-note")).to_have_text(
        "Tenggat lewat 3 menit yang lalu: kiriman sekarang tidak mendapat poin, "
        "tetapi tetap disimpan."
    )
    expect(page.locator("#send-form")).to_be_visible()


def pretend(page, visibility):
    """What the browser does when the person switches to another app and back."""
    page.evaluate(
        "(state) => { Object.defineProperty(document, 'visibilityState',"
        " { value: state, configurable: true });"
        " document.dispatchEvent(new Event('visibilitychange')); }",
        visibility,
    )


def test_polling_rests_while_hidden_and_asks_at_once_when_shown_or_back_online(
    small_phone, day, make, session
):
    event, group, judge = day
    task = make.task(event, "text", title="Nama masjid terbesar")
    sent = member_sends(session, group, task, "Masjid Raya", "m1")
    context = small_phone()
    page = context.new_page()
    join(page, group)
    polls = []
    page.on("request", lambda r: "/play/api/state" in r.url and polls.append(r.url))
    pretend(page, "hidden")
    page.wait_for_timeout(500)
    polls.clear()
    page.wait_for_timeout(7000)
    assert polls == []  # nobody looks: the phone does not ask
    decide(session, event, judge, sent, "accept")
    with page.expect_request("**/play/api/state", timeout=1500):
        pretend(page, "visible")
    expect(card(page, task.title)).to_contain_text("approved", timeout=SOON)

    context.set_offline(True)
    page.wait_for_event(
        "requestfailed", lambda r: "/play/api/state" in r.url, timeout=SOON
    )  # a round failed: the next one is a whole period away
    context.set_offline(False)
    with page.expect_request("**/play/api/state", timeout=1500):
        page.evaluate("window.dispatchEvent(new Event('online'))")
