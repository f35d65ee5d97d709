"""What a phone sends besides the photo, checked where it arrives: positions that cannot be
one, oversized or deep evidence, NUL characters, clocks set to year 1."""

import io
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from tests.photos.made import made_jpeg
from webapp.models import Submission


def send(web, task, key="k1", photo: bytes | None = None, **fields):
    data = {"csrf_token": web.token("/play/"), "key": key, **fields}
    if photo is not None:
        data["photo"] = (io.BytesIO(photo), "foto.jpg")
    return web.client.post(
        f"/play/api/tasks/{task.id}/submissions", data=data, headers={"Accept": "application/json"}
    )


def stored(session) -> list[Submission]:
    session.rollback()
    session.expire_all()
    return session.exec(select(Submission)).all()


@pytest.mark.parametrize(
    ("lat", "lon"),
    [("inf", "119.4"), ("-5.1", "-Infinity"), ("nan", "119.4"), ("91", "119.4"), ("-5", "181")],
)
def test_a_position_that_cannot_be_one_is_refused_with_a_message(phone, make, session, lat, lon):
    """`lat=inf` was stored as it came and put Infinity into the board's JSON."""
    task = make.task(phone.event, "text")
    response = send(phone, task, answer="Benteng", lat=lat, lon=lon, accuracy="12")
    assert response.status_code == 400
    assert response.json["message"].startswith("Your phone sent a position that is not on Earth")
    assert stored(session) == []


@pytest.mark.parametrize("accuracy", ["inf", "nan", "-5"])
def test_an_accuracy_that_cannot_be_one_is_refused_with_a_message(phone, make, session, accuracy):
    task = make.task(phone.event, "text")
    response = send(phone, task, answer="Benteng", lat="-5.1343", lon="119.4055", accuracy=accuracy)
    assert response.status_code == 400
    assert "which cannot be right" in response.json["message"]
    assert stored(session) == []


def test_a_position_on_earth_with_its_accuracy_is_kept(phone, make, session):
    task = make.task(phone.event, "text")
    response = send(phone, task, answer="Benteng", lat="-5.1343", lon="119.4055", accuracy="12")
    assert response.status_code == 201
    (row,) = stored(session)
    assert (row.lat, row.lon, row.accuracy_m) == (-5.1343, 119.4055, 12)


def test_an_answer_with_a_nul_character_is_refused_with_a_message(phone, make, session):
    """PostgreSQL cannot store a NUL in text: it was a 500 there."""
    task = make.task(phone.event, "text")
    response = send(phone, task, answer="Ben\x00teng")
    assert response.status_code == 400
    assert response.json["message"] == (
        "What was sent contains a character that cannot be stored (a NUL character). "
        "Please type it again."
    )
    assert stored(session) == []


def test_a_key_with_a_nul_character_is_no_key(phone, make, session):
    task = make.task(phone.event, "text")
    response = send(phone, task, key="k\x001", answer="Benteng")
    assert response.status_code == 400 and "NUL" in response.json["message"]
    assert stored(session) == []


EVIDENCE_TIME = "2026-11-25T07:10:00+08:00"


def nested(levels: int) -> dict:
    value: object = EVIDENCE_TIME
    for _ in range(levels):
        value = [value]
    return {"captured_at": EVIDENCE_TIME, "extra": value}


@pytest.mark.parametrize(
    ("evidence", "used"),
    [
        (json.dumps(nested(2)), True),  # three levels: as deep as the phone's ever is
        (json.dumps(nested(3)), False),
        ('{"captured_at": "' + EVIDENCE_TIME + '", "x": ' + "[" * 5000 + "]" * 5000 + "}", False),
        (json.dumps({"captured_at": EVIDENCE_TIME, "device": "x" * 5000}), False),
    ],
    ids=["three_levels", "four_levels", "five_thousand_levels", "too_long"],
)
def test_evidence_too_deep_or_too_large_is_ignored(phone, make, session, evidence, used):
    """Five thousand levels of brackets made the JSON parser run out of stack: a 500."""
    task = make.task(phone.event, "photo")
    response = send(phone, task, photo=made_jpeg((800, 600)), evidence=evidence)
    assert response.status_code == 201
    (row,) = stored(session)
    assert row.captured_at == (datetime(2026, 11, 24, 23, 10, tzinfo=UTC) if used else None)


def test_a_capture_time_in_year_1_is_no_capture_time(phone, make, session):
    task = make.task(phone.event, "photo")
    evidence = json.dumps({"captured_at": "0001-01-01T00:00:00", "device": "Ponsel\x00X"})
    response = send(phone, task, photo=made_jpeg((800, 600)), evidence=evidence)
    assert response.status_code == 201
    (row,) = stored(session)
    assert row.captured_at is None and row.device == "PonselX"


def test_a_phone_clock_at_year_1_is_not_believed(phone, make, session, clock):
    task = make.task(phone.event, "text")
    response = send(phone, task, answer="Benteng", pressed_at="0001-01-01T00:00:00+14:00")
    assert response.status_code == 201
    (row,) = stored(session)
    assert row.pressed_at == clock()
