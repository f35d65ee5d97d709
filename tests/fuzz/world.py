"""One event with something of every kind, and a second event of another organiser, for the
tests that send hostile requests to every address of the app."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.conftest import PHOTOS, Factory, Web
from webapp.models import Event

PHOTO = (PHOTOS / "gps" / "DSCN0010.jpg").read_bytes()


@dataclass
class World:
    event: Event
    other: Event
    ids: dict[str, int] = field(default_factory=dict)  # converter name -> an id of `event`
    foreign: dict[str, int] = field(default_factory=dict)  # the same names in `other`
    texts: dict[str, str] = field(default_factory=dict)  # string converters -> a real value
    clients: dict[str, Web] = field(default_factory=dict)  # role -> a logged-in client


def build_world(app, make: Factory) -> World:
    """Every object is made by the factory or sent through the app, as people would."""
    owner, judge = make.account("owner@example.org"), make.account("judge@example.org")
    event = make.event(owner, blind_judging=True)
    make.judge(event, judge)
    place = make.location(event)
    photo_task = make.task(event, "photo", title="Foto gapura")
    make.task(event, "checkin", location_id=place.id)
    make.task(event, "number", check={"answer": 5})
    group = make.group(event, "Kelompok Biru")
    other = make.event(make.account("stranger@example.org"))
    other_task = make.task(other, "photo")
    other_place = make.location(other)
    other_group = make.group(other, "Kelompok Lain")

    organiser, referee, phone = (Web(app.test_client()) for _ in range(3))
    organiser.login("owner@example.org")
    referee.login("judge@example.org")
    phone.join(group.join_code, "Siti")
    sent = phone.client.post(
        f"/play/api/tasks/{photo_task.id}/submissions",
        data={
            "csrf_token": phone.token("/play/"),
            "key": "world-photo",
            "photo": (__import__("io").BytesIO(PHOTO), "gapura.jpg"),
        },
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    submission = sent.json["submission"]
    member = make.participant(group, "Budi")
    photo_key = submission["photo"].split("/")[2]
    return World(
        event=event,
        other=other,
        ids={
            "event_id": event.id,
            "task_id": photo_task.id,
            "group_id": group.id,
            "location_id": place.id,
            "submission_id": submission["id"],
            "user_id": judge.id,
            "participant_id": member.id,
        },
        foreign={
            "event_id": other.id,
            "task_id": other_task.id,
            "group_id": other_group.id,
            "location_id": other_place.id,
            "submission_id": submission["id"] + 1000,
            "user_id": owner.id,
        },
        texts={
            "token": event.board_token,
            "photo": photo_key,
            "variant": "thumb.jpg",
            "code": group.join_code,
            "action": "duplicate",
            "filename": "leaflet.js",
        },
        clients={"organiser": organiser, "judge": referee, "participant": phone},
    )
