"""Task sets in and out of the database: an event from a file, and an event back to a file."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from webapp.domain.taskset import LocationSpec, TaskSet, TaskSpec
from webapp.domain.taskset_export import dump_taskset
from webapp.domain.text import N_
from webapp.models import Event, EventStaff, Location, Task, User
from webapp.photos import MAX_BYTES, PhotoRefused
from webapp.services import ServiceError, audit, groups, references
from webapp.storage import LocalPhotoStore


class NoOrganiser(ServiceError):
    template = N_(
        "There is no organiser account %(email)s; create one with `jelajah create-organiser`."
    )


class ReferencePhotoMissing(ServiceError):
    template = N_(
        "The reference photo %(name)s is not next to the task-set file, or is not a "
        "photo: %(reason)s"
    )


class ReferencePhotoOutside(ServiceError):
    template = N_(
        "The reference photo %(name)s is outside the task set's folder; put the photo in "
        "that folder (or a folder inside it) and name it from there."
    )


class ReferencePhotoNotAFile(ServiceError):
    template = N_("The reference photo %(name)s is not a file.")


class ReferencePhotoTooLarge(ServiceError):
    template = N_("The reference photo %(name)s is larger than %(mb)s MB.")


class EventNotFound(ServiceError):
    template = N_("There is no event %(event)s.")
    status = 404


def pick_owner(session: Session, email: str | None) -> User:
    query = select(User).order_by(User.id)
    if email:
        query = query.where(User.email == email.strip().lower())
    user = session.exec(query).first()
    if user is None:
        raise NoOrganiser(email=email or "")
    return user


def schedule(taskset: TaskSet, local_start: str | None, now: datetime) -> tuple[datetime, datetime]:
    """Start and end in UTC: the given local start, else the set's start today, local time;
    the day lasts as long as the set's day, since its task windows count from the start."""
    zone = ZoneInfo(taskset.timezone)
    opens, closes = time.fromisoformat(taskset.start), time.fromisoformat(taskset.end)
    length = datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
    if length <= timedelta(0):
        length += timedelta(days=1)
    if local_start:
        start = datetime.fromisoformat(local_start).replace(tzinfo=zone)
    else:
        start = datetime.combine(now.astimezone(zone).date(), opens, tzinfo=zone)
    return start.astimezone(UTC), (start + length).astimezone(UTC)


def create_event(
    session: Session,
    *,
    taskset: TaskSet,
    owner: User,
    now: datetime,
    local_start: str | None = None,
    group_count: int = 0,
    source_dir: Path | None = None,
    store: LocalPhotoStore | None = None,
    max_photo_bytes: int = MAX_BYTES,
) -> Event:
    starts_at, ends_at = schedule(taskset, local_start, now)
    event = Event(
        title=taskset.title,
        description=taskset.description,
        language=taskset.language,
        timezone=taskset.timezone,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
    )
    session.add(event)
    session.flush()
    session.add(EventStaff(event_id=event.id, user_id=owner.id, role="organiser"))
    add_tasks(session, event=event, taskset=taskset)
    if store is not None and source_dir is not None:
        attach_reference_photos(
            session,
            event=event,
            taskset=taskset,
            source_dir=source_dir,
            store=store,
            max_bytes=max_photo_bytes,
        )
    if group_count:
        prefix = "Kelompok" if taskset.language == "id" else "Group"
        groups.add_numbered_groups(
            session, event=event, count=group_count, prefix=prefix, actor=owner, now=now
        )
    audit.record(
        session,
        event_id=event.id,
        actor=owner,
        action="event.import",
        after={"title": event.title, "tasks": len(taskset.tasks)},
        now=now,
    )
    return event


def add_tasks(session: Session, *, event: Event, taskset: TaskSet) -> list[Task]:
    locations = {}
    for spec in taskset.locations:
        loc = Location(
            event_id=event.id,
            key=spec.id,
            name=spec.name,
            lat=spec.lat,
            lon=spec.lon,
            radius_m=spec.radius,
            address=spec.address,
            hint=spec.hint,
        )
        session.add(loc)
        locations[spec.id] = loc
    session.flush()
    tasks = {}
    for spec in taskset.tasks:
        task = Task(
            event_id=event.id,
            key=spec.id,
            title=spec.title,
            instructions=spec.instructions,
            kind=spec.kind,
            points=spec.points,
            position=spec.order,
            location_id=locations[spec.location].id if spec.location else None,
            window=dict(spec.window),
            late=dict(spec.late),
            check=dict(spec.check),
            rubric=list(spec.rubric),
            hints=list(spec.hints),
            first_bonus=list(spec.first_bonus),
            reference_photo=None,
            fresh_photo=spec.fresh_photo,
            rubric_optional=spec.rubric_optional,
        )
        session.add(task)
        tasks[spec.id] = task
    session.flush()
    for spec in taskset.tasks:
        if spec.unlocks_after:
            tasks[spec.id].unlocks_after_id = tasks[spec.unlocks_after].id
    session.flush()
    return list(tasks.values())


def attach_reference_photos(
    session: Session,
    *,
    event: Event,
    taskset: TaskSet,
    source_dir: Path,
    store: LocalPhotoStore,
    max_bytes: int = MAX_BYTES,
) -> None:
    """Reference photos named in the file are read from beside it and stored like uploads."""
    tasks = {t.key: t for t in session.exec(select(Task).where(Task.event_id == event.id))}
    for spec in taskset.tasks:
        if spec.reference_photo:
            data = read_reference(source_dir, spec.reference_photo, max_bytes)
            try:
                tasks[spec.id].reference_photo = references.store_reference(data, store)
            except PhotoRefused as exc:
                raise ReferencePhotoMissing(name=spec.reference_photo, reason=exc.message) from exc
    session.flush()


def read_reference(folder: Path, name: str, max_bytes: int) -> bytes:
    """A photo file named by a task set: inside the set's folder once every link and `..` is
    resolved, a regular file (not a device or a pipe), no larger than an upload may be."""
    root = folder.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ReferencePhotoOutside(name=name)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise ReferencePhotoNotAFile(name=name)
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)  # bounded even if the file grows meanwhile
    except OSError as exc:
        raise ReferencePhotoMissing(name=name, reason=exc.strerror or "") from exc
    if len(data) > max_bytes:
        raise ReferencePhotoTooLarge(name=name, mb=f"{max_bytes / 1024 / 1024:.3g}")
    return data


def event_taskset(session: Session, event_id: int) -> TaskSet:
    event = session.get(Event, event_id)
    if event is None:
        raise EventNotFound(event=event_id)
    zone = ZoneInfo(event.timezone)
    locations = session.exec(
        select(Location).where(Location.event_id == event_id).order_by(Location.id)
    ).all()
    tasks = session.exec(
        select(Task).where(Task.event_id == event_id).order_by(Task.position, Task.id)
    ).all()
    keys = {task.id: task.key for task in tasks}
    by_id = {loc.id: loc.key for loc in locations}
    return TaskSet(
        title=event.title,
        language=event.language,
        description=event.description,
        timezone=event.timezone,
        start=f"{event.starts_at.astimezone(zone):%H:%M}",
        end=f"{event.ends_at.astimezone(zone):%H:%M}",
        locations=tuple(
            LocationSpec(
                id=loc.key,
                name=loc.name,
                lat=loc.lat,
                lon=loc.lon,
                radius=loc.radius_m,
                address=loc.address,
                hint=loc.hint,
            )
            for loc in locations
        ),
        tasks=tuple(
            TaskSpec(
                id=task.key,
                title=task.title,
                kind=task.kind,
                points=task.points,
                instructions=task.instructions,
                location=by_id.get(task.location_id),
                window=dict(task.window),
                late=dict(task.late),
                check=dict(task.check),
                rubric=tuple(task.rubric),
                hints=tuple(task.hints),
                first_bonus=tuple(task.first_bonus),
                unlocks_after=keys.get(task.unlocks_after_id),
                reference_photo=None,  # the image stays in the app; files are not exported
                fresh_photo=task.fresh_photo,
                order=position,
                rubric_optional=task.rubric_optional,
            )
            for position, task in enumerate(tasks, start=1)
        ),
    )


def export_event(session: Session, event_id: int) -> str:
    return dump_taskset(event_taskset(session, event_id))
