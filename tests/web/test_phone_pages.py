"""The phone's pages as the server draws them: the state they poll and who may poll it,
late work and what it costs, what unlocks a locked task, and numbers in the reader's words."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.web.test_play import WINDOW, api, rows
from webapp import assets
from webapp.models import HintUse
from webapp.services import board, judging, standings

POLL = "/play/api/state"


def organiser(make, event):
    return make.judge(event)


# 1. The state the pages poll, and who gets a 304


def test_the_state_says_what_the_pages_show(phone, make, session, clock):
    first = make.task(phone.event, "text", title="Nama masjid?", window=WINDOW)
    make.task(phone.event, "text", title="Sesudahnya", unlocks_after_id=first.id)
    judge = organiser(make, phone.event)
    api(phone, first, answer="Masjid Raya")
    sub = rows(session)[0]
    judging.decide(
        session,
        event=phone.event,
        judge=judge,
        submission_id=sub.id,
        decision="redo",
        comment="Tulis nama lengkapnya",
        now=clock(),
    )
    board.announce(
        session,
        event=phone.event,
        text="Kumpul pukul 12.00",
        on_board=True,
        actor=judge,
        now=clock(),
    )
    session.commit()
    state = phone.get(POLL).json
    assert [(t["state"], t["comment"]) for t in state["tasks"]] == [
        ("redo", "Tulis nama lengkapnya"),
        ("locked", ""),
    ]
    assert state["tasks"][0]["closes_at"] == "2026-11-24T23:30:00+00:00"
    assert [n["text"] for n in state["announcements"]] == ["Kumpul pukul 12.00"]


def test_a_page_carries_the_tag_of_what_it_shows_so_its_first_poll_is_304(phone, make, app):
    make.task(phone.event, "text")
    page = phone.get("/play/").get_data(as_text=True)
    tag = re.search(r'data-etag="([^"]+)"', page).group(1).replace("&#34;", '"')
    calls = []
    inner = app.wsgi_app.app

    def counting(environ, start_response):
        calls.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    app.wsgi_app.app = counting
    assert phone.get(POLL, headers={"If-None-Match": tag}).status_code == 304
    assert calls == []  # answered before Flask


def test_nobody_logged_out_gets_a_304_or_learns_the_revision(phone, make, session, app, clock):
    make.task(phone.event, "text")
    real_tag = phone.get(POLL).headers["ETag"]
    anonymous = app.test_client()
    revision = standings.revision(session, phone.event.id)
    guesses = (
        f'"p{phone.event.id}-{phone.group.id}-{revision}"',
        f'"p{phone.event.id}-{phone.group.id}-1-{revision}-0000000000000000"',
        real_tag,
    )
    answers = [anonymous.get(POLL, headers={"If-None-Match": tag}) for tag in guesses]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].json == {"error": "unauthorized", "message": "Silakan masuk lagi."}
    phone.submit("/play/", {}, action="/logout")
    assert phone.get(POLL, headers={"If-None-Match": real_tag}).status_code == 401
    session.rollback()  # the test's read ended: the logins written since are seen
    judging.add_adjustment(
        session,
        event=phone.event,
        group_id=phone.group.id,
        points=1,
        reason="x",
        actor=organiser(make, phone.event),
        now=clock(),
    )
    session.commit()
    # Before and after the revision moved, the same answer: nothing leaks.
    assert anonymous.get(POLL, headers={"If-None-Match": real_tag}).status_code == 401


def test_a_phone_logged_out_by_the_organiser_learns_it_at_its_next_poll(
    phone, make, another_web, session
):
    """The tag belongs to one login; ending the group's logins moves the revision, so the
    phone's next poll is answered by the app (logged out) instead of a 304."""
    owner = make.account("panitia@example.org")
    from webapp.services import events as event_service

    event_service.appoint(session, event=phone.event, user=owner, role="organiser")
    session.commit()
    tag = phone.get(POLL).headers["ETag"]
    assert phone.get(POLL, headers={"If-None-Match": tag}).status_code == 304
    another_web.login("panitia@example.org")
    groups = f"/organiser/events/{phone.event.id}/groups"
    another_web.submit(groups, {}, action=f"{groups}/{phone.group.id}/log-out")
    assert phone.get(POLL, headers={"If-None-Match": tag}).status_code == 401


def test_a_tag_forged_for_another_event_is_not_answered_304(phone, make, session):
    other = make.event()
    make.group(other, "Lain")
    tag = phone.get(POLL).headers["ETag"]
    forged = re.sub(r'"p\d+-', f'"p{other.id}-', tag)
    answer = phone.get(POLL, headers={"If-None-Match": forged})
    assert answer.status_code == 200 and answer.headers["ETag"] == tag


# 2. Late work, while the task's policy takes it


def late_task(phone, make, late, **fields):
    return make.task(phone.event, "text", title="Refleksi", window=WINDOW, late=late, **fields)


@pytest.mark.parametrize(
    ("late", "minutes", "said"),
    [
        (
            {"policy": "penalty_points", "value": 5},
            12,
            "Deadline passed 12 minutes ago: sending now costs 5 points.",
        ),
        (
            {"policy": "per_minute", "value": 0.5, "cap": 4},
            3,
            "Deadline passed 3 minutes ago: sending now costs 1.5 points.",
        ),
        (
            {"policy": "per_minute", "value": 1, "cap": 4},
            30,
            "Deadline passed 30 minutes ago: sending now costs 4 points.",
        ),
        (
            {"policy": "penalty_percent", "value": 20},
            1,
            "Deadline passed 1 minute ago: sending now costs 20% of the points it earns.",
        ),
        (
            {"policy": "zero"},
            5,
            "Deadline passed 5 minutes ago: sending now counts for nothing, but it is kept.",
        ),
        (
            {"policy": "review"},
            5,
            "Deadline passed 5 minutes ago: you can still send; a judge decides if it counts.",
        ),
        (
            {"policy": "refuse", "grace": 10},
            4,
            "Deadline passed 4 minutes ago: it still counts in full until 07:40 WITA.",
        ),
    ],
)
def test_late_work_has_its_form_and_says_what_it_costs(phone, make, clock, late, minutes, said):
    task = late_task(phone, make, late)
    clock.advance(minutes=30 + minutes)
    page = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert 'id="send-form"' in page and said in page
    assert "state-late" in page
    assert said in phone.get("/play/").get_data(as_text=True)
    assert api(phone, task, answer="Pelajaran hari ini").status_code == 201


def test_a_task_that_refuses_late_work_closes_at_its_deadline(phone, make, clock):
    task = late_task(phone, make, {"policy": "refuse"})
    clock.advance(minutes=31)
    page = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert 'id="send-form"' not in page and "state-closed" in page
    assert "late-note" not in page


def test_a_rejected_answer_after_a_refusing_deadline_offers_no_form_that_would_fail(
    phone, make, clock
):
    task = late_task(phone, make, {"policy": "refuse"}, check={"answers": ["Benteng"]})
    api(phone, task, answer="Masjid")
    clock.advance(minutes=31)
    page = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert "state-rejected" in page and 'id="send-form"' not in page


# 4. What a locked task waits for; 9. what it shows


def test_a_locked_task_says_what_unlocks_it(phone, make):
    first = make.task(phone.event, "text", title="Tiba di Benteng", key="benteng")
    make.task(
        phone.event, "text", title="Sesudah benteng", unlocks_after_id=first.id, window=WINDOW
    )
    make.task(
        phone.event,
        "text",
        title="Setengah jam kemudian",
        window={"after": "benteng", "offset": 30, "duration": 20},
    )
    make.task(phone.event, "text", title="Sore", window={"opens": "15:00", "closes": "16:00"})
    page = phone.get("/play/").get_data(as_text=True)
    assert "opens when «Tiba di Benteng» is done" in page
    assert "opens 30 minutes after «Tiba di Benteng» is done" in page
    assert "opens at 15:00 WITA" in page
    assert "opens at 07:00" not in page  # the unlocking task's wait, not a time long past


def test_a_locked_tasks_page_shows_only_its_title_and_what_unlocks_it(phone, make, session):
    first = make.task(phone.event, "text", title="Tiba di Benteng")
    place = make.location(phone.event, name="Pelabuhan Paotere")
    locked = make.task(
        phone.event,
        "photo",
        title="Foto kapal pinisi",
        instructions="Cari kapal bertiang dua",
        hints=[{"text": "Di dermaga utara", "cost": 2}],
        location_id=place.id,
        reference_photo="a" * 32,
        unlocks_after_id=first.id,
    )
    url = f"/play/tasks/{locked.id}"
    page = phone.get(url).get_data(as_text=True)
    assert "Foto kapal pinisi" in page and "opens when «Tiba di Benteng» is done" in page
    for secret in ("Cari kapal", "Di dermaga", "Paotere", "/photos/reference/", "Open hint"):
        assert secret not in page
    refused = phone.submit(url, {"index": "0"}, action=f"{url}/hints", follow_redirects=True)
    assert "not open yet" in refused.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(HintUse)).all() == []


# 5. Numbers in the reader's words


def test_points_and_minutes_are_written_as_the_reader_writes_them(phone, make, clock, session):
    one = make.task(phone.event, "text", title="Satu", points=1, window=WINDOW)
    make.task(phone.event, "text", title="Banyak", points=40)
    late = make.task(
        phone.event,
        "number",
        title="Tahun",
        points=15,
        window=WINDOW,
        check={"answer": 1949},
        late={"policy": "penalty_percent", "value": 50},
    )
    api(phone, one, key="a", answer="x")
    clock.advance(minutes=30.5)
    api(phone, late, key="b", answer="1949")
    tasks = phone.get("/play/").get_data(as_text=True)
    assert "1 point<" in tasks and "40 points" in tasks
    history = phone.get("/play/history").get_data(as_text=True)
    assert "1 minute late" in history and "7.5 points" in history
    phone.get("/lang/id")
    history = phone.get("/play/history").get_data(as_text=True)
    assert "terlambat 1 menit" in history and "7,5 poin" in history
    score = phone.get("/play/score").get_data(as_text=True)
    assert "<strong>7,5</strong>" in score and "+15" in score and "-7,5" in score
    assert ".00" not in score and ".50" not in score


# 7. Versioned modules


def test_phone_pages_import_every_module_by_its_versioned_address(phone, make):
    page = phone.get("/play/").get_data(as_text=True)
    imports = re.search(r'<script type="importmap">(.*?)</script>', page, re.S).group(1)
    for name in ("phone", "queue", "clock", "exif", "downscale", "live", "outbox", "text"):
        version = assets.version(f"js/{name}.js")
        assert f'"/static/js/{name}.js": "/static/js/{name}.js?v={version}"' in imports
    assert page.index('type="importmap"') < page.index('type="module"')


def test_the_service_worker_names_its_cache_after_the_release(web, monkeypatch, tmp_path):
    script = web.get("/sw.js").get_data(as_text=True)
    assert f'const RELEASE = "{assets.release()}";' in script
    assert script.count("RELEASE") >= 2 and "no-cache" in web.get("/sw.js").headers["Cache-Control"]
    # Any file that changes gives another release, so another worker and another cache.
    copy = tmp_path / "static"
    (copy / "js").mkdir(parents=True)
    (copy / "js" / "queue.js").write_text("// one")
    monkeypatch.setattr(assets, "STATIC", copy)
    for cached in (assets.version, assets.release):
        cached.cache_clear()
    before = assets.release()
    (copy / "js" / "queue.js").write_text("// two")
    for cached in (assets.version, assets.release):
        cached.cache_clear()
    assert assets.release() != before
    for cached in (assets.version, assets.release):
        cached.cache_clear()


def test_a_group_moved_on_with_a_deadline_sees_it_moved(phone, make, session, clock):
    task = make.task(phone.event, "text", window=WINDOW)
    before = phone.get(POLL)
    from webapp.services import groups

    groups.update_group(
        session,
        event=phone.event,
        group_id=phone.group.id,
        name=phone.group.name,
        start_offset_min=0,
        extra_min=15,
        actor=organiser(make, phone.event),
        now=clock(),
    )
    session.commit()
    after = phone.get(POLL, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.json["tasks"][0]["closes_at"] == (
        (clock.value + timedelta(minutes=45)).isoformat()
    )
    assert task.id == after.json["tasks"][0]["id"]


def test_the_score_page_states_how_ties_are_broken(phone, make):
    """A group that loses a tie must be able to see why."""
    make.task(phone.event, "text")
    score = phone.get("/play/score").get_data(as_text=True)
    assert "Groups with equal points are ranked by" in score
