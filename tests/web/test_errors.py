"""Malformed and hostile requests get a 4xx that says why, and error pages never fail."""

import io
import json
import math

import pytest
import sqlalchemy as sa
from sqlmodel import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.conftest import PHOTOS, Web
from webapp import create_app
from webapp.db import request_session
from webapp.models import Event, Location, Review


def organiser(web, make):
    owner = make.account("ani@example.org")
    event = make.event(owner)
    web.login("ani@example.org")
    web.get("/lang/en")
    return event


def strict(text: str):
    """JSON as a browser reads it: NaN and Infinity are not numbers."""

    def refuse(name):
        raise ValueError(f"{name} in JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("ident", [2**31, 2**63, 10**30])
def test_an_id_past_the_databases_integer_range_names_nothing(web, make, ident):
    event = organiser(web, make)
    for path in (
        f"/organiser/events/{ident}",
        f"/organiser/events/{event.id}/tasks/{ident}/edit",
        f"/review/events/{event.id}/submissions/{ident}",
    ):
        response = web.get(path)
        assert response.status_code == 404
        assert "This page does not exist" in response.get_data(as_text=True)
    response = web.get(f"/api/events/{ident}/standings")
    assert response.status_code == 404 and response.json["message"]


def test_a_nul_character_anywhere_is_refused_with_a_message(web, make, phone):
    page = web.submit("/join", {"code": "ABC\x00DEF", "name": "Siti"})
    assert page.status_code == 400
    assert "NUL character" in page.get_data(as_text=True)
    assert web.get("/board/a\x00b/data.json").json["error"] == "bad_request"
    task = make.task(phone.event, "text")
    answer = phone.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data={"csrf_token": phone.token("/play/"), "key": "k1", "answer": "Ben\x00teng"},
    )
    assert answer.status_code == 400 and "NUL character" in answer.json["message"]


def test_a_task_or_place_of_another_event_is_not_found(web, make):
    event = organiser(web, make)
    other = make.event(make.account("lain@example.org"))
    task, place = make.task(other), make.location(other, name="Tempat lain")
    for path in (
        f"/organiser/events/{event.id}/tasks/{task.id}/edit",
        f"/organiser/events/{event.id}/locations/{place.id}",
    ):
        response = web.get(path)
        assert response.status_code == 404
        assert "not part of this event" in response.get_data(as_text=True)
    saved = web.submit(
        f"/organiser/events/{event.id}/locations",
        {"name": "Dicuri", "lat": "1", "lon": "1", "radius_m": "5"},
        action=f"/organiser/events/{event.id}/locations/{place.id}",
    )
    assert saved.status_code == 404


def test_a_rubric_value_that_is_no_number_is_refused_in_words(web, make, session):
    owner = make.account("ani@example.org")
    event = make.event(owner)
    make.judge(event, make.account("juri@example.org"))
    rubric = [{"name": "Kreativitas", "max": 6}]
    task = make.task(event, "photo", points=10, rubric=rubric)
    sub = make.submission(event, make.group(event), task, status="pending")
    web.login("juri@example.org")
    web.get("/lang/en")
    page = f"/review/events/{event.id}/submissions/{sub.id}"
    for value in ("banyak", "nan", "inf", "1e999"):
        answer = web.submit(page, {"decision": "accept", "rubric:Kreativitas": value})
        assert answer.status_code == 302
        assert "Points must be a number." in web.get(answer.location).get_data(as_text=True)
    assert session.exec(select(Review)).all() == []


def test_a_5000_digit_etag_gets_the_whole_answer(app, make, phone, session):
    tag = '"p' + "9" * 5000 + '-1-1"'
    state = phone.get("/play/api/state", headers={"If-None-Match": tag})
    assert state.status_code == 200 and "tasks" in state.json
    event = session.get(Event, phone.event.id)
    board = app.test_client()
    for tag in ('"b' + "9" * 5000 + '-1"', f'"b{2**40}-{event.revision}"'):
        answer = board.get(f"/board/{event.board_token}/data.json", headers={"If-None-Match": tag})
        assert answer.status_code == 200 and "groups" in answer.json
    answer = board.get("/board/a%00b/data.json", headers={"If-None-Match": f'"b{event.id}-1"'})
    assert answer.status_code == 400


NEW_EVENT = {
    "title": "Dari berkas",
    "description": "",
    "date": "2026-12-01",
    "start": "07:00",
    "end": "17:00",
    "timezone": "Asia/Makassar",
    "language": "id",
    "queued_late_policy": "accept",
    "counts": "best",
    "review_conflict": "last",
    "tie_break": "points",
    "groups": "2",
}


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[set]\ntitle = "x"\nk = ' + "[" * 5000 + "]" * 5000, "nested more than 16 deep"),
        ('[set]\ntitle = "x"\n' + "# padding\n" * 120_000, "larger than 1024 KB"),
        ('[set]\ntitle = "x"\n[[locations]]\nid="a"\nname="a"\nlat=nan\nlon=inf\n', "must be a"),
    ],
)
def test_a_hostile_task_set_upload_is_refused_with_its_problem(web, make, session, text, said):
    organiser(web, make)
    fields = NEW_EVENT | {
        "csrf_token": web.token("/organiser/events/new"),
        "taskset": FileStorage(io.BytesIO(text.encode()), "set.toml"),
    }
    # Encoded here, in memory: the test client would spool a body this large to a file
    # that it never closes.
    boundary, body = encode_multipart(fields)
    page = web.client.post(
        "/organiser/events/new",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert page.status_code == 200 and said in page.get_data(as_text=True)
    assert session.exec(select(Event).where(Event.title == "Dari berkas")).all() == []


def test_a_place_not_on_earth_is_refused_by_the_location_form(web, make, session):
    event = organiser(web, make)
    page = web.submit(
        f"/organiser/events/{event.id}/locations",
        {"name": "Di mana-mana", "lat": "inf", "lon": "nan", "radius_m": "inf"},
    )
    text = page.get_data(as_text=True)
    assert text.count("Type a number such as -7.98 or 112.63.") == 2  # at latitude, longitude
    page = web.submit(
        f"/organiser/events/{event.id}/locations",
        {"name": "Di mana-mana", "lat": "-7.98", "lon": "112.63", "radius_m": "inf"},
    )
    assert "Type a number." in page.get_data(as_text=True)  # at the radius
    assert session.exec(select(Location)).all() == []


def test_the_board_data_stays_json_whatever_a_phone_sent(app, phone, make, session):
    task = make.task(phone.event, "photo", check={"review": "auto"})
    photo = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()
    sent = phone.client.post(
        f"/play/api/tasks/{task.id}/submissions",
        data={
            "csrf_token": phone.token("/play/"),
            "key": "k-inf",
            "lat": "inf",
            "lon": "-inf",
            "accuracy": "nan",
            "photo": (io.BytesIO(photo), "foto.jpg"),
        },
    )
    assert sent.status_code in (201, 400)  # stored as sent, or refused at the door
    event = session.get(Event, phone.event.id)
    body = app.test_client().get(f"/board/{event.board_token}/data.json").get_data(as_text=True)
    data = strict(body)
    assert all(math.isfinite(p["lat"]) for p in data["positions"] if p["lat"] is not None)


def test_json_answers_are_strict(app):
    assert app.json.dumps({"lat": math.inf, "at": [math.nan, 1.5]}) == (
        '{"at": [null, 1.5], "lat": null}'
    )
    for text in ('{"lat": NaN}', '{"lat": -Infinity}', "[" * 100 + "]" * 100):
        with pytest.raises(ValueError, match="is not a number|nested"):
            app.json.loads(text)


def test_a_json_request_gets_a_json_error(web, make):
    organiser(web, make)
    for response in (
        web.get("/api/nowhere"),
        web.get("/board/no-such-board/data.json"),
        web.get("/organiser/nowhere", headers={"Accept": "application/json"}),
    ):
        assert response.status_code == 404
        assert response.json["error"] == "not_found" and response.json["message"]


def hold_write_lock(engine):
    """Another request in the middle of writing: SQLite's write lock, or on PostgreSQL an
    exclusive lock on the accounts (which still lets a plain read through)."""
    holder = engine.raw_connection()
    cursor = holder.cursor()
    if engine.dialect.name == "sqlite":
        cursor.execute("BEGIN IMMEDIATE")
    else:
        cursor.execute("LOCK TABLE user_account IN EXCLUSIVE MODE")
    return holder


def test_an_error_page_comes_while_another_request_holds_the_write_lock(
    database_url, tmp_path, make, clock
):
    app = create_app(
        {
            "app": {"secret_key": "test-secret", "instance_path": str(tmp_path / "instance")},
            "database": {"url": database_url, "busy_timeout_ms": 300},
            "storage": {"uploads_dir": str(tmp_path / "uploads")},
            "clock": clock,
        }
    )
    make.account("ani@example.org")
    web = Web(app.test_client())
    web.login("ani@example.org")
    token = web.token("/organiser/")
    holder = hold_write_lock(app.extensions["engine"])
    try:
        expired = web.client.post("/organiser/events/new", data={"csrf_token": "old"})
        missing = web.client.post("/organiser/nowhere", data={"csrf_token": token})
    finally:
        holder.rollback()
        holder.close()
        app.extensions["engine"].dispose()
    logged_in = 'action="/logout"'  # the page's bar knows who is there: it read the database
    assert expired.status_code == 400 and logged_in in expired.get_data(as_text=True)
    assert missing.status_code == 404 and logged_in in missing.get_data(as_text=True)


def test_a_failed_transaction_still_gets_its_error_page(app, web, make):
    @app.post("/failing")
    def failing():
        request_session().execute(sa.text("SELECT no_such_column FROM event"))

    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page answers
    organiser(web, make)
    page = web.client.post("/failing", data={"csrf_token": web.token("/organiser/")})
    assert page.status_code == 500
    # The 5xx page needs no database (the failure may be the database's): no login bar.
    assert "Something went wrong" in page.get_data(as_text=True)
    answer = web.client.post(
        "/failing",
        data={"csrf_token": web.token("/organiser/")},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 500 and answer.json["error"] == "internal_server_error"


def test_a_form_part_without_a_name_is_no_server_error(phone):
    body = b"--b\r\nContent-Disposition: form-data\r\n\r\nnull\r\n--b--\r\n"
    answer = phone.client.post(
        "/play/api/tasks/1/submissions",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert answer.status_code == 400 and answer.json["message"]
