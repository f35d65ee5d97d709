"""The board's map: places only once their task has opened, groups only at places they
completed a task at, never a phone's own position, and nothing during the freeze."""

from datetime import timedelta

import pytest

from webapp.services import board, judging

RAW = (-5.2001, 119.5002)  # where the phone said it was: it must never reach the board


@pytest.fixture
def day(make, session, clock):
    """Three places: the fort (open from the start), the museum (its task opens at 10:00)
    and the beach (its task unlocks once the fort's is done)."""
    event = make.event(make.account("ani@example.org"), title="Jelajah Kota")
    judge = make.judge(event, make.account("juri@example.org"))
    fort = make.location(event, name="Benteng Rotterdam", lat=-5.1343, lon=119.4055)
    museum = make.location(event, name="Museum Kota", lat=-5.1370, lon=119.4120)
    beach = make.location(event, name="Pantai Losari", lat=-5.1430, lon=119.4070)
    fort_task = make.task(event, "checkin", title="Check-in benteng", location_id=fort.id)
    make.task(
        event,
        "photo",
        title="Foto museum",
        location_id=museum.id,
        window={"opens": "10:00", "closes": "12:00"},
    )
    make.task(
        event, "photo", title="Foto pantai", location_id=beach.id, unlocks_after_id=fort_task.id
    )
    quiz = make.task(event, "text", title="Kuis")
    elang, rajawali = make.group(event, "Elang"), make.group(event, "Rajawali")
    return event, judge, (elang, rajawali), (fort_task, quiz)


def board_data(app, event) -> dict:
    return app.test_client().get(f"/board/{event.board_token}/data.json").json


def test_only_places_of_opened_tasks_are_on_the_map(app, make, session, clock, day):
    event, judge, (elang, _rajawali), (fort_task, _quiz) = day
    assert [p["name"] for p in board_data(app, event)["places"]] == ["Benteng Rotterdam"]
    clock.advance(minutes=30)
    make.submission(event, elang, fort_task, status="pending", received_at=clock())
    assert [p["name"] for p in board_data(app, event)["places"]] == [
        "Benteng Rotterdam",
        "Pantai Losari",  # unlocked for Elang by the fort
    ]
    clock.value = event.starts_at + timedelta(hours=3)  # 10:00 WITA
    assert len(board_data(app, event)["places"]) == 3


def test_a_group_shows_at_its_last_completed_place_never_at_its_phone(
    app, make, session, clock, day
):
    event, judge, (elang, rajawali), (fort_task, quiz) = day
    checkin = make.submission(
        event, elang, fort_task, status="pending", lat=RAW[0], lon=RAW[1], received_at=clock()
    )
    make.submission(event, elang, quiz, status="accepted", lat=RAW[0], lon=RAW[1])
    assert board_data(app, event)["positions"] == []  # nothing completed at a place yet
    judging.decide(
        session, event=event, judge=judge, submission_id=checkin.id, decision="accept", now=clock()
    )
    session.commit()
    body = app.test_client().get(f"/board/{event.board_token}/data.json").get_data(as_text=True)
    assert str(RAW[0]) not in body and str(RAW[1]) not in body
    (marker,) = board_data(app, event)["positions"]
    assert marker == {
        "group": "Elang",
        "colour": elang.colour,
        "place": "Benteng Rotterdam",
        "lat": -5.1343,
        "lon": 119.4055,
    }


def test_during_the_freeze_no_group_is_on_the_map(app, make, session, clock, day):
    event, judge, (elang, _rajawali), (fort_task, _quiz) = day
    make.submission(event, elang, fort_task, status="accepted", received_at=clock())
    assert len(board_data(app, event)["positions"]) == 1
    board.update(session, event=event, actor=judge, now=clock(), freeze_at=clock())
    session.commit()
    clock.advance(minutes=5)
    frozen = board_data(app, event)
    assert frozen["phase"] == "frozen" and frozen["positions"] == []
