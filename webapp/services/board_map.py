"""What the board's map may show: the places of tasks that have opened, and each group at the
place of the last located task it completed; never a phone's raw position."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain import windows
from webapp.models import Event, Group, Location, Submission, Task

DONE = ("accepted", "pending")  # what unlocks the next task on the phones, as in play


def places(session: Session, event: Event, moment: datetime) -> list[dict]:
    """The places of the tasks that had opened for at least one group by `moment`: a place
    whose task is still closed would tell the room, and the groups, where to go next."""
    tasks = session.exec(
        select(Task.id, Task.key, Task.window, Task.location_id, Task.unlocks_after_id).where(
            Task.event_id == event.id
        )
    ).all()
    keys = {ident: key for ident, key, *_rest in tasks}
    done_at = first_done(session, event, moment)
    opened: set[int] = set()
    for _ident, _key, window, location_id, after_id in tasks:
        if location_id is None or location_id in opened:
            continue
        if after_id is not None and keys.get(after_id) not in done_at:
            continue
        span = windows.task_window(
            window or {},
            event_start=event.starts_at,
            event_end=event.ends_at,
            tz=event.timezone,
            done_at=done_at,
        )
        if span is not None and span.opens_at <= moment:
            opened.add(location_id)
    return [
        {"name": loc.name, "lat": loc.lat, "lon": loc.lon, "radius": loc.radius_m}
        for loc in session.exec(
            select(Location).where(Location.event_id == event.id).order_by(Location.id)
        )
        if loc.id in opened
    ]


def first_done(session: Session, event: Event, moment: datetime) -> dict[str, datetime]:
    """When each task was first done by any group, up to `moment`, by task key."""
    rows = session.exec(
        select(Task.key, sa.func.min(Submission.received_at))
        .join(Task, Task.id == Submission.task_id)
        .where(
            Submission.event_id == event.id,
            Submission.status.in_(DONE),
            Submission.received_at <= moment,
        )
        .group_by(Task.key)
    ).all()
    return {key: at for key, at in rows}


def group_markers(session: Session, event: Event) -> list[dict]:
    """Each group at the place of the last located task it completed (a check-in or a photo
    accepted there); a group that completed none is left off the map."""
    seen: dict[int, dict] = {}
    for group_id, name, colour, place, lat, lon in session.exec(
        select(Group.id, Group.name, Group.colour, Location.name, Location.lat, Location.lon)
        .select_from(Submission)
        .join(Group, Group.id == Submission.group_id)
        .join(Task, Task.id == Submission.task_id)
        .join(Location, Location.id == Task.location_id)
        .where(Submission.event_id == event.id, Submission.status == "accepted")
        .order_by(Submission.received_at, Submission.id)
    ):
        seen[group_id] = {"group": name, "colour": colour, "place": place, "lat": lat, "lon": lon}
    return list(seen.values())
