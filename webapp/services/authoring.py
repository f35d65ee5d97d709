"""The organiser's editor: events, tasks and locations, checked by the task-set rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from webapp.domain.taskset_check import Problem, check_taskset
from webapp.domain.text import N_
from webapp.models import Event, EventStaff, Location, Submission, Task, User
from webapp.services import ServiceError, audit, worth


class Invalid(ServiceError):
    """The editor's input breaks a task-set rule; `problems` say which field and why."""

    template = N_("Please correct the marked fields.")

    def __init__(self, problems: list[Problem]):
        super().__init__()
        self.problems = problems


class EndsBeforeStart(ServiceError):
    template = N_("The event must end after it starts.")


class TaskHasSubmissions(ServiceError):
    template = N_(
        "Groups have already sent something for %(title)s (%(count)s in all), so it cannot "
        "be deleted: what they sent is kept. Close its window or set its points to 0 instead."
    )
    status = 409


class NotInEvent(ServiceError):
    template = N_("That task or location is not part of this event.")
    status = 404


def create_blank_event(
    session: Session, *, owner: User, fields: dict[str, Any], now: datetime
) -> Event:
    if fields["ends_at"] <= fields["starts_at"]:
        raise EndsBeforeStart()
    event = Event(created_at=now, **fields)
    session.add(event)
    session.flush()
    session.add(EventStaff(event_id=event.id, user_id=owner.id, role="organiser"))
    audit.record(
        session,
        event_id=event.id,
        actor=owner,
        action="event.create",
        after={"title": event.title},
        now=now,
        moves_standings=False,
    )
    return event


RESCORING = {"starts_at", "ends_at", "timezone", "queued_late_policy", "review_conflict"}


def update_event(
    session: Session, *, event: Event, fields: dict[str, Any], actor: User, now: datetime
) -> tuple[Event, int]:
    """Changes to a running event are allowed, logged, and seen by phones on their next poll.
    Returns the event and how many submissions were rescored (its times move windows)."""
    if fields.get("ends_at", event.ends_at) <= fields.get("starts_at", event.starts_at):
        raise EndsBeforeStart()
    before = {key: audit.jsonable(getattr(event, key)) for key in fields}
    for key, value in fields.items():
        setattr(event, key, value)
    after = {key: audit.jsonable(getattr(event, key)) for key in fields}
    changed = {k for k in fields if before[k] != after[k]}
    if changed:
        audit.record(
            session,
            event_id=event.id,
            actor=actor,
            action="event.update",
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
            now=now,
        )
    rescored = worth.retime(session, event, actor=actor, now=now) if changed & RESCORING else 0
    return event, rescored


def task_in(session: Session, event: Event, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.event_id != event.id:
        raise NotInEvent()
    return task


def location_in(session: Session, event: Event, location_id: int) -> Location:
    location = session.get(Location, location_id)
    if location is None or location.event_id != event.id:
        raise NotInEvent()
    return location


def tasks_of(session: Session, event_id: int) -> list[Task]:
    return list(
        session.exec(
            select(Task).where(Task.event_id == event_id).order_by(Task.position, Task.id)
        ).all()
    )


def locations_of(session: Session, event_id: int) -> list[Location]:
    return list(
        session.exec(
            select(Location).where(Location.event_id == event_id).order_by(Location.name)
        ).all()
    )


def as_file_task(task: Task, keys: dict[int, str], location_keys: dict[int, str]) -> dict:
    """A task row as the task-set file would hold it, so that one set of rules checks both."""
    data: dict[str, Any] = {
        "id": task.key,
        "title": task.title,
        "kind": task.kind,
        "points": task.points,
    }
    if task.location_id:
        data["location"] = location_keys.get(task.location_id, "?")
    if task.unlocks_after_id:
        data["unlocks_after"] = keys.get(task.unlocks_after_id, "?")
    for name in ("window", "late"):
        if getattr(task, name):
            data[name] = dict(getattr(task, name))
    data.update(task.check)
    for name in ("rubric", "hints", "first_bonus"):
        if getattr(task, name):
            data[name] = list(getattr(task, name))
    if task.rubric_optional:
        data["rubric_optional"] = True
    return data


def check_event_tasks(session: Session, event: Event, candidate: Task) -> None:
    """Checks the event's tasks with the candidate in place; raises Invalid naming its fields."""
    tasks = [t for t in tasks_of(session, event.id) if t.id != candidate.id] + [candidate]
    locations = locations_of(session, event.id)
    keys = {t.id: t.key for t in tasks if t.id}
    location_keys = {loc.id: loc.key for loc in locations}
    data = {
        "set": {"title": event.title},
        "locations": [
            {
                "id": loc.key,
                "name": loc.name,
                "lat": loc.lat,
                "lon": loc.lon,
                "radius": loc.radius_m,
            }
            for loc in locations
        ],
        "tasks": [as_file_task(t, keys, location_keys) for t in tasks],
    }
    index = len(tasks) - 1
    prefix = f"tasks[{index + 1}]."
    mine = [p for p in check_taskset(data, "", "editor") if p.key.startswith(prefix)]
    if mine:
        raise Invalid([replace(p, key=p.key.split("].", 1)[-1]) for p in mine])


def save_task(
    session: Session, *, event: Event, task: Task, actor: User, now: datetime, is_new: bool
) -> tuple[Task, int]:
    """The task, and how many submissions were rescored: its points, rubric, window or late
    rules may have changed what was sent for it."""
    before = None if is_new else stored_snapshot(session, task.id)
    if is_new:
        task.event_id = event.id
        task.position = max([t.position for t in tasks_of(session, event.id)], default=0) + 1
        task.key = unique_key(session, event.id, task.key or slug(task.title))
    check_event_tasks(session, event, task)
    session.add(task)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="task.create" if is_new else "task.update",
        subject=f"task {task.id}",
        before=before,
        after=snapshot(task),
        now=now,
    )
    rescored = (
        0 if is_new else worth.retime(session, event, actor=actor, now=now, task_ids=[task.id])
    )
    return task, rescored


def stored_snapshot(session: Session, task_id: int | None) -> dict | None:
    """The task as the database still holds it: the editor changes the loaded object itself
    before saving, so the object no longer shows what was there before."""
    row = (
        session.connection()
        .execute(select(Task.__table__).where(Task.__table__.c.id == task_id))
        .mappings()
        .first()
    )
    return {key: audit.jsonable(value) for key, value in row.items()} if row else None


def snapshot(task: Task | None) -> dict | None:
    if task is None:
        return None
    return {key: audit.jsonable(value) for key, value in task.model_dump().items()}


def slug(title: str) -> str:
    import re
    import unicodedata

    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return (re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "task")[:40]


def unique_key(session: Session, event_id: int, base: str) -> str:
    taken = set(session.exec(select(Task.key).where(Task.event_id == event_id)).all())
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def duplicate_task(
    session: Session, *, event: Event, task_id: int, actor: User, now: datetime
) -> Task:
    original = task_in(session, event, task_id)
    data = original.model_dump(exclude={"id", "key", "position"})
    copy = Task(**data)
    copy.title = f"{original.title} (2)"[:200]
    copy.key = unique_key(session, event.id, original.key)
    return save_task(session, event=event, task=copy, actor=actor, now=now, is_new=True)[0]


def delete_task(
    session: Session, *, event: Event, task_id: int, actor: User, now: datetime
) -> None:
    task = task_in(session, event, task_id)
    sent = session.exec(
        select(func.count()).select_from(Submission).where(Submission.task_id == task.id)
    ).one()
    if sent:
        raise TaskHasSubmissions(count=sent, title=task.title)
    before = snapshot(task)
    session.delete(task)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="task.delete",
        subject=f"task {task_id}",
        before=before,
        now=now,
    )


def move_task(
    session: Session, *, event: Event, task_id: int, step: int, actor: User, now: datetime
) -> None:
    """Moves a task one place up (-1) or down (+1) and renumbers the list 1..n."""
    tasks = tasks_of(session, event.id)
    index = next(i for i, t in enumerate(tasks) if t.id == task_in(session, event, task_id).id)
    target = max(0, min(len(tasks) - 1, index + step))
    tasks.insert(target, tasks.pop(index))
    for position, task in enumerate(tasks, start=1):
        task.position = position
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="task.move",
        subject=f"task {task_id}",
        after={"order": [t.key for t in tasks]},
        now=now,
        moves_standings=False,
    )


class LocationInUse(ServiceError):
    template = N_("The location %(name)s is used by tasks; change those tasks first.")
    status = 409


def save_location(
    session: Session, *, event: Event, location: Location, actor: User, now: datetime
) -> Location:
    is_new = location.id is None
    if is_new:
        location.event_id = event.id
        taken = set(session.exec(select(Location.key).where(Location.event_id == event.id)).all())
        base, n = slug(location.name), 2
        location.key = base
        while location.key in taken:
            location.key, n = f"{base}-{n}", n + 1
    data = {
        "set": {"title": event.title},
        "locations": [
            {
                "id": location.key,
                "name": location.name,
                "lat": location.lat,
                "lon": location.lon,
                "radius": location.radius_m,
            }
        ],
    }
    problems = check_taskset(data, "", "editor")
    if problems:
        raise Invalid([replace(p, key=p.key.split("].", 1)[-1]) for p in problems])
    session.add(location)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="location.create" if is_new else "location.update",
        subject=f"location {location.id}",
        after={
            "name": location.name,
            "lat": location.lat,
            "lon": location.lon,
            "radius_m": location.radius_m,
        },
        now=now,
    )
    return location


def delete_location(
    session: Session, *, event: Event, location_id: int, actor: User, now: datetime
) -> None:
    location = location_in(session, event, location_id)
    used = session.exec(select(Task.id).where(Task.location_id == location.id)).first()
    if used is not None:
        raise LocationInUse(name=location.name)
    session.delete(location)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="location.delete",
        subject=f"location {location_id}",
        before={"name": location.name},
        now=now,
    )
