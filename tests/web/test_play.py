"""The core loop on the phone: see the tasks, send an answer once, the organiser sees it."""

import re

from sqlmodel import select

from webapp.models import Submission


def joined(web, make, **task_fields):
    event = make.event()
    group = make.group(event, "Kelompok Biru")
    task = make.task(event, "text", title="Nama masjid terbesar?", **task_fields)
    web.join(group.join_code, "Siti")
    return event, group, task


def test_task_list_shows_each_task_with_its_state(web, make):
    event, _group, task = joined(web, make)
    make.task(event, "text", title="Nanti", window={"after": "start", "offset": 60, "duration": 30})
    page = web.get("/play/").get_data(as_text=True)
    assert "Nama masjid terbesar?" in page and "Nanti" in page
    assert "state-open" in page and "state-locked" in page
    assert f"/play/tasks/{task.id}" in page


def test_answer_is_stored_once_even_when_sent_twice_with_the_same_key(web, make, session):
    _event, group, task = joined(web, make)
    page = f"/play/tasks/{task.id}"
    token = web.token(page)
    key = re.search(
        r'name="key" type="hidden" value="([0-9a-f]+)"', web.get(page).get_data(as_text=True)
    ).group(1)
    data = {"csrf_token": token, "key": key, "answer": "Masjid Raya"}
    first = web.client.post(f"{page}/answer", data=data)
    second = web.client.post(f"{page}/answer", data=data)
    assert first.status_code == second.status_code == 302
    rows = session.exec(select(Submission).where(Submission.group_id == group.id)).all()
    assert len(rows) == 1 and rows[0].answer == "Masjid Raya" and rows[0].status == "pending"


def test_organiser_sees_what_a_group_sent(web, another_web, make, session):
    owner = make.account("ani@example.org")
    event = make.event(owner)
    group = make.group(event, "Kelompok Hijau")
    task = make.task(event, "text")
    web.join(group.join_code, "Siti")
    page = f"/play/tasks/{task.id}"
    web.submit(page, {"key": "k1", "answer": "Benteng Rotterdam"}, action=f"{page}/answer")
    another_web.login("ani@example.org")
    text = another_web.get(f"/organiser/events/{event.id}").get_data(as_text=True)
    assert "Benteng Rotterdam" in text and "Kelompok Hijau" in text and "Siti" in text


def test_answer_after_the_deadline_is_refused_with_a_message(web, make, session, clock):
    _event, group, task = joined(
        web, make, window={"after": "start", "offset": 0, "duration": 30}, late={"policy": "refuse"}
    )
    clock.advance(minutes=31)
    page = f"/play/tasks/{task.id}"
    response = web.submit(
        page, {"key": "k1", "answer": "x"}, action=f"{page}/answer", follow_redirects=True
    )
    assert "deadline" in response.get_data(as_text=True) or "batas waktu" in response.get_data(
        as_text=True
    )
    assert session.exec(select(Submission)).all() == []


def test_a_participant_cannot_send_for_a_task_of_another_event(web, make, session):
    joined(web, make)
    other = make.task(make.event(), "text")
    web.get("/lang/en")
    response = web.submit(
        "/play/",
        {"key": "k2", "answer": "x"},
        action=f"/play/tasks/{other.id}/answer",
        follow_redirects=True,
    )
    assert "This task is not part of your event." in response.get_data(as_text=True)
    assert session.exec(select(Submission)).all() == []


def test_a_participant_cannot_open_a_task_of_another_event(web, make):
    joined(web, make)
    other = make.task(make.event(), "text")
    assert web.get(f"/play/tasks/{other.id}").status_code == 404


def test_times_are_shown_in_the_events_zone_with_its_abbreviation(web, make):
    event, _group, task = joined(web, make, window={"opens": "07:00", "closes": "09:30"})
    page = web.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert "09:30 WITA" in page
