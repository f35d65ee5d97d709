"""The demo event that `jelajah demo` serves: made once from tasks/demo.toml."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from webapp.domain.taskset import load_taskset_file
from webapp.models import Event, EventStaff, Group
from webapp.services import accounts, audit, groups, tasksets, worth

DEMO_TASKSET = Path(__file__).resolve().parents[2] / "tasks" / "demo.toml"
DEMO_GROUPS = 3


def ensure_demo(
    session: Session, *, email: str, password: str, taskset_path: Path, now: datetime
) -> tuple[Event, list[Group]]:
    """The demo organiser and event; an event that has ended is moved to start now."""
    user = accounts.find_by_email(session, email)
    if user is None:
        user = accounts.create_account(
            session, email=email, name="Demo", password=password, now=now, can_create_events=True
        )
    taskset = load_taskset_file(taskset_path)
    event = session.exec(
        select(Event)
        .join(EventStaff, EventStaff.event_id == Event.id)
        .where(EventStaff.user_id == user.id, Event.title == taskset.title)
        .order_by(Event.id.desc())
    ).first()
    if event is None:
        local = now.astimezone(ZoneInfo(taskset.timezone))
        event = tasksets.create_event(
            session,
            taskset=taskset,
            owner=user,
            now=now,
            group_count=DEMO_GROUPS,
            local_start=f"{local:%Y-%m-%dT%H:%M}",
        )
    elif event.ends_at < now:
        length = event.ends_at - event.starts_at
        event.starts_at = now.replace(second=0, microsecond=0)
        event.ends_at = event.starts_at + max(length, timedelta(minutes=30))
        audit.record(
            session,
            event_id=event.id,
            actor=user,
            action="event.restart_demo",
            after={"starts_at": event.starts_at.isoformat()},
            now=now,
        )
        worth.retime(session, event, actor=user, now=now)  # its windows moved with its start
    return event, groups.groups_of(session, event.id)
