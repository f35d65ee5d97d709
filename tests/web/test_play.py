"""The phone's pages and the submission endpoint the upload queue posts to."""

import io
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.conftest import PHOTOS, Factory, Web
from webapp import create_app, db
from webapp.models import Event, HintUse, Submission
from webapp.services import standings

WINDOW = {"after": "start", "offset": 0, "duration": 30}


def api(web, task, key="k1", **fields):
    data = {"csrf_token": web.token("/play/"), "key": key, **fields}
    return web.client.post(
        f"/play/api/tasks/{task.id}/submissions", data=data, headers={"Accept": "application/json"}
    )


def rows(session):
    session.rollback()
    session.expire_all()
    return session.exec(select(Submission)).all()


def test_task_list_shows_each_task_with_its_state_and_countdown(phone, make):
    make.task(phone.event, "text", title="Nama masjid?", window=WINDOW)
    make.task(phone.event, "text", title="Nanti", window={"after": "start", "offset": 60})
    page = phone.get("/play/").get_data(as_text=True)
    assert "Nama masjid?" in page and "Nanti" in page
    assert "state-open" in page and "state-locked" in page
    assert 'class="countdown" data-deadline="2026-11-24T23:30:00+00:00"' in page
    assert 'data-server-now="2026-11-24T23:00:00+00:00"' in page


def test_same_key_twice_gives_one_submission_and_the_same_answer(phone, make, session):
    task = make.task(phone.event, "text", check={"answers": ["Masjid Raya"]})
    first = api(phone, task, answer="masjid raya")
    second = api(phone, task, answer="something else entirely")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["submission"] == second.json["submission"]
    assert second.json["replayed"] is True
    assert len(rows(session)) == 1 and rows(session)[0].status == "accepted"


def test_concurrent_retries_of_one_key_store_it_once(phone, make, session, app):
    task = make.task(phone.event, "text")
    token = phone.token("/play/")
    cookie = phone.client.get_cookie("session")
    answers = []

    def retry():
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        response = client.post(
            f"/play/api/tasks/{task.id}/submissions",
            data={"csrf_token": token, "key": "same", "answer": "Benteng"},
        )
        answers.append((response.status_code, response.json["submission"]["id"]))

    threads = [threading.Thread(target=retry) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(code for code, _ in answers) == [200] * 7 + [201]
    assert len({ident for _, ident in answers}) == 1
    assert len(rows(session)) == 1


def test_a_text_answer_without_accepted_answers_waits_for_a_judge(phone, make, session):
    task = make.task(phone.event, "text")
    assert api(phone, task, answer="Pelayanan cepat").json["submission"]["status"] == "pending"


def test_an_open_answer_and_a_photo_set_to_auto_accept_need_no_judge(phone, make, session):
    reflection = make.task(phone.event, "text", check={"review": "auto"})
    assert (
        api(phone, reflection, key="t1", answer="Pelayanan cepat").json["submission"]["status"]
        == "accepted"
    )
    snapshot = make.task(phone.event, "photo", check={"review": "auto"})
    photo = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    data = {"csrf_token": phone.token("/play/"), "key": "p1", "photo": (io.BytesIO(photo), "a.jpg")}
    response = phone.client.post(
        f"/play/api/tasks/{snapshot.id}/submissions", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 201
    assert {sub.task_id: sub.status for sub in rows(session)} == {
        reflection.id: "accepted",
        snapshot.id: "accepted",
    }


@pytest.mark.parametrize(
    ("typed", "status"),
    [("Grha  Sabha Pramána", "accepted"), ("gsp.", "accepted"), ("Balairung", "rejected")],
)
def test_answers_are_checked_on_the_server(phone, make, typed, status):
    task = make.task(phone.event, "text", check={"answers": ["Grha Sabha Pramana", "GSP"]})
    assert api(phone, task, answer=typed).json["submission"]["status"] == status


def test_numbers_are_checked_with_their_tolerance(phone, make):
    task = make.task(phone.event, "number", check={"answer": 3.5, "tolerance": 0.1})
    assert api(phone, task, key="a", answer="3,45").json["submission"]["status"] == "accepted"


def test_wrong_kind_of_input_is_refused_with_a_message_and_nothing_is_stored(phone, make, session):
    number = make.task(phone.event, "number", check={"answer": 3})
    choice = make.task(phone.event, "choice", check={"choices": ["A", "B"], "answer": "A"})
    response = api(phone, number, answer="tiga")
    assert response.status_code == 400 and "Please write a number" in response.json["message"]
    response = api(phone, choice, key="k2", answer="C (forged)")
    assert response.status_code == 400 and response.json["error"] == "NotAChoice"
    assert rows(session) == []


def test_just_before_the_deadline_counts_and_just_after_is_refused(phone, make, clock, session):
    task = make.task(phone.event, "text", window=WINDOW, late={"policy": "refuse"})
    clock.advance(minutes=30)
    assert api(phone, task, key="a", answer="x").status_code == 201
    late = make.task(phone.event, "text", window=WINDOW, late={"policy": "refuse"})
    clock.advance(seconds=1)
    response = api(phone, late, key="b", answer="x")
    assert response.status_code == 409 and "deadline" in response.json["message"]
    assert len(rows(session)) == 1


def test_a_phone_clock_in_the_future_is_not_believed(phone, make, clock, session):
    task = make.task(phone.event, "text", window=WINDOW)
    pressed = (clock.value + timedelta(hours=2)).isoformat()
    assert api(phone, task, answer="x", pressed_at=pressed).status_code == 201
    assert rows(session)[0].pressed_at == clock.value


@pytest.mark.parametrize("policy", ["accept", "flag", "refuse"])
def test_queued_before_the_deadline_and_received_after_follows_the_events_policy(
    phone, another_web, make, clock, session, policy
):
    """What the group and the judge see: counted as on time (for the judge to look at when
    flagged), or refused as late."""
    phone.event.queued_late_policy = policy
    session.add(phone.event)
    session.commit()
    make.judge(phone.event, make.account("juri@example.org", name="Juri"))
    task = make.task(
        phone.event, "text", title="Refleksi", window=WINDOW, late={"policy": "refuse"}
    )
    pressed = clock.value + timedelta(minutes=29)
    clock.advance(minutes=50)
    response = api(phone, task, answer="Pelayanan cepat", pressed_at=pressed.isoformat())
    if policy == "refuse":
        assert response.status_code == 409
        assert response.json["message"] == "The deadline for this task has passed."
        return
    assert response.status_code == 201
    another_web.login("juri@example.org")
    another_web.get("/lang/en")
    queue = another_web.get(f"/review/events/{phone.event.id}/").get_data(as_text=True)
    assert "Pelayanan cepat" in queue
    assert ("by the phone's clock, before the deadline" in queue) == (policy == "flag")
    url = f"/review/events/{phone.event.id}/submissions/{rows(session)[0].id}"
    another_web.submit(url, {"decision": "accept"}, action=url)
    score = phone.get("/play/score").get_data(as_text=True)
    assert "Refleksi" in score and "<strong>10</strong>" in score and "line-late" not in score


def test_a_late_submission_under_a_penalty_policy_records_its_minutes(phone, make, clock, session):
    task = make.task(
        phone.event, "text", window=WINDOW, late={"policy": "per_minute", "value": 1, "cap": 10}
    )
    clock.advance(minutes=37)
    assert api(phone, task, answer="x").status_code == 201
    assert rows(session)[0].late_minutes == 7


def test_a_late_answer_under_policy_zero_is_kept_and_shown_but_earns_nothing(
    phone, make, clock, session
):
    task = make.task(
        phone.event,
        "number",
        window=WINDOW,
        late={"policy": "zero"},
        check={"answer": 1949},
        title="Tahun berdiri",
    )
    clock.advance(minutes=31)
    assert api(phone, task, answer="1949").status_code == 201
    stored = rows(session)[0]
    assert stored.status == "accepted" and stored.late_minutes == 1
    assert (stored.earned_cents, stored.late_cents) == (1000, 1000)
    row = standings.compute(session, session.get(Event, phone.event.id))[0]
    assert row.total == 0 and row.tasks_completed == 1
    assert "Tahun berdiri" in phone.get("/play/score").get_data(as_text=True)


def test_check_in_inside_outside_and_at_the_edge(phone, make, session):
    place = make.location(phone.event, lat=-5.13396, lon=119.40545, radius_m=50)
    task = make.task(phone.event, "checkin", location_id=place.id)
    far = api(phone, task, key="a", lat="-5.13760", lon="119.40545", accuracy="10")
    assert far.status_code == 409
    assert re.search(r"You are 40\d m from Place \d+, about 34\d m outside", far.json["message"])
    edge = api(phone, task, key="b", lat="-5.13459", lon="119.40545", accuracy="20")
    assert edge.status_code == 201 and edge.json["submission"]["status"] == "accepted"
    assert len(rows(session)) == 1


def test_check_in_without_a_position_asks_for_it(phone, make):
    task = make.task(phone.event, "checkin", location_id=make.location(phone.event).id)
    response = api(phone, task)
    assert response.status_code == 400 and "location" in response.json["message"]


def test_a_locked_task_cannot_be_sent(phone, make, session):
    first = make.task(phone.event, "text")
    second = make.task(phone.event, "text", unlocks_after_id=first.id)
    later = make.task(phone.event, "text", window={"after": "start", "offset": 60})
    assert api(phone, second, key="a", answer="x").status_code == 409
    assert api(phone, later, key="b", answer="x").status_code == 409
    api(phone, first, key="c", answer="x")
    assert api(phone, second, key="d", answer="x").status_code == 201


def test_a_task_of_another_event_is_not_yours(phone, make, session):
    other = make.task(make.event(), "text")
    response = api(phone, other, answer="x")
    assert response.status_code == 404 and "not part of your event" in response.json["message"]
    assert phone.get(f"/play/tasks/{other.id}").status_code == 404
    assert rows(session) == []


def test_a_submission_goes_to_the_senders_own_group_whatever_the_form_says(phone, make, session):
    other_group = make.group(phone.event, "Kelompok Merah")
    task = make.task(phone.event, "text")
    api(phone, task, answer="x", group_id=str(other_group.id))
    assert rows(session)[0].group_id == phone.group.id


def test_a_photo_is_received_processed_and_shown_to_the_group(phone, make, session, app):
    task = make.task(phone.event, "photo")
    photo = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    data = {
        "csrf_token": phone.token("/play/"),
        "key": "p1",
        "photo": (io.BytesIO(photo), "DSCN0010.jpg"),
    }
    response = phone.client.post(
        f"/play/api/tasks/{task.id}/submissions", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 201
    stored = rows(session)[0]
    assert stored.status == "pending" and stored.photo_width == 640
    assert stored.gps_lat == pytest.approx(43.4674, abs=1e-3)
    thumb = phone.get(response.json["submission"]["photo"])
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert "immutable" in thumb.headers["Cache-Control"]
    thumb.close()


def test_a_photo_stored_under_a_relative_uploads_folder_is_served(
    database_url, tmp_path, clock, monkeypatch
):
    """The default setting, `uploads`, as the demo uses it."""
    monkeypatch.chdir(tmp_path)
    app = create_app(
        {
            "app": {"secret_key": "test-secret", "instance_path": str(tmp_path / "instance")},
            "database": {"url": database_url},
            "storage": {"uploads_dir": "uploads"},
            "clock": clock,
        }
    )
    try:
        web = Web(app.test_client())
        with db.new_session(app.extensions["engine"]) as session:
            make = Factory(session, clock)
            event = make.event()
            task = make.task(event, "photo")
            web.join(make.group(event, "Kelompok Hijau").join_code, "Siti")
        data = {
            "csrf_token": web.token("/play/"),
            "key": "r1",
            "photo": (io.BytesIO((PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()), "a.jpg"),
        }
        response = web.client.post(
            f"/play/api/tasks/{task.id}/submissions", data=data, content_type="multipart/form-data"
        )
        assert response.status_code == 201
        thumb = web.get(response.json["submission"]["photo"])
        assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"
        thumb.close()
        assert len(list((tmp_path / "uploads").glob("*/*-thumb.jpg"))) == 1
    finally:
        app.extensions["engine"].dispose()


def test_a_file_too_large_is_refused_with_413_and_a_message(phone, make, session, app):
    from werkzeug.test import EnvironBuilder

    task = make.task(phone.event, "photo")
    big = b"\xff\xd8" + b"0" * (20 * 1024 * 1024)
    builder = EnvironBuilder(
        path=f"/play/api/tasks/{task.id}/submissions",
        method="POST",
        data={
            "csrf_token": phone.token("/play/"),
            "key": "big",
            "photo": (io.BytesIO(big), "a.jpg"),
        },
        headers={"Accept": "application/json"},
    )
    environ = builder.get_environ()
    try:
        response = phone.client.open(environ)
    finally:
        environ["wsgi.input"].close()  # the test client spools a large body to a temporary file
        builder.close()
    assert response.status_code == 413 and "larger than 15 MB" in response.json["message"]
    assert rows(session) == []


def test_the_plain_form_works_without_javascript(phone, make, session):
    task = make.task(phone.event, "text")
    page = f"/play/tasks/{task.id}"
    response = phone.submit(
        page, {"key": "nojs", "answer": "Benteng"}, action=f"{page}/send", follow_redirects=True
    )
    assert "was received" in response.get_data(as_text=True)
    assert rows(session)[0].answer == "Benteng"


def test_hints_open_one_by_one_showing_their_cost_first(phone, make, session):
    task = make.task(
        phone.event,
        "text",
        hints=[{"text": "Tiga huruf", "cost": 2}, {"text": "G... S... P...", "cost": 5}],
    )
    page = f"/play/tasks/{task.id}"
    assert "costs 2 points" in phone.get(page).get_data(as_text=True)
    assert "Tiga huruf" not in phone.get(page).get_data(as_text=True)
    phone.submit(page, {"index": "0"}, action=f"{page}/hints")
    phone.submit(page, {"index": "0"}, action=f"{page}/hints")  # a double tap costs once
    text = phone.get(page).get_data(as_text=True)
    assert "Tiga huruf" in text and "costs 5 points" in text
    session.rollback()
    assert [(h.hint_index, h.cost) for h in session.exec(select(HintUse)).all()] == [(0, 2)]


def test_a_hint_costing_a_fraction_of_a_point_costs_exactly_that(phone, make, session):
    task = make.task(phone.event, "text", hints=[{"text": "Dekat sungai", "cost": 1.5}])
    page = f"/play/tasks/{task.id}"
    assert "costs 1.5 points" in phone.get(page).get_data(as_text=True)
    phone.submit(page, {"index": "0"}, action=f"{page}/hints")
    session.rollback()
    assert [h.cost for h in session.exec(select(HintUse)).all()] == [1.5]
    row = standings.compute(session, session.get(Event, phone.event.id))[0]
    assert row.total == Decimal("-1.50")
    phone.get("/lang/id")
    assert "(−1,5)" in phone.get(page).get_data(as_text=True)


def test_a_judges_please_redo_opens_the_task_again_with_the_comment(
    phone, another_web, make, session
):
    make.judge(phone.event, make.account("juri@example.org", name="Juri"))
    task = make.task(phone.event, "text", title="Refleksi")
    api(phone, task, answer="x")
    another_web.login("juri@example.org")
    url = f"/review/events/{phone.event.id}/submissions/{rows(session)[0].id}"
    another_web.submit(url, {"decision": "redo", "comment": "Foto buram, ulangi"}, action=url)
    page = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert "Foto buram, ulangi" in page and 'id="send-form"' in page
    assert api(phone, task, key="k2", answer="y").status_code == 201
    again = phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)
    assert "waiting for a judge" in again and "Foto buram, ulangi" not in again


def test_history_shows_who_sent_what_and_when(phone, make, clock):
    task = make.task(phone.event, "text", title="Refleksi")
    api(phone, task, answer="Pelajaran hari ini")
    page = phone.get("/play/history").get_data(as_text=True)
    assert "Refleksi" in page and "Siti" in page and "07:00 WITA" in page


def test_announcements_are_shown_at_the_top(phone, make, session, clock):
    from webapp.models import Announcement

    session.add(
        Announcement(
            event_id=phone.event.id, text="Makan siang di Losari pukul 12.00", created_at=clock()
        )
    )
    session.commit()
    page = phone.get("/play/").get_data(as_text=True)
    assert page.index("Makan siang") < page.index("Kelompok Biru</h1>")


def test_status_of_queued_keys_can_be_asked(phone, make):
    task = make.task(phone.event, "text")
    api(phone, task, key="known", answer="x")
    found = phone.get("/play/api/submissions?key=known&key=unknown").json["submissions"]
    assert [s["key"] for s in found] == ["known"]


def test_times_are_shown_in_the_events_zone_with_its_abbreviation(phone, make):
    task = make.task(phone.event, "text", window={"opens": "07:00", "closes": "09:30"})
    assert "09:30 WITA" in phone.get(f"/play/tasks/{task.id}").get_data(as_text=True)


def test_a_received_submission_bumps_the_revision_and_is_logged(phone, make, session):
    from webapp.models import AuditEntry
    from webapp.services import standings

    task = make.task(phone.event, "text", check={"answers": ["Masjid Raya"]})
    before = standings.revision(session, phone.event.id)
    api(phone, task, answer="Masjid Raya")
    session.rollback()
    assert standings.revision(session, phone.event.id) == before + 1
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "submission.receive")).one()
    assert entry.after["status"] == "accepted" and "Siti" in entry.actor
