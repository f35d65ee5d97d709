"""The audit log and the event revision that every score-moving change bumps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from webapp.models import AuditEntry, Event, Participant, Submission, User


def record(
    session: Session,
    *,
    event_id: int | None,
    actor: Any,
    action: str,
    subject: str = "",
    before: dict | None = None,
    after: dict | None = None,
    now: datetime,
    moves_standings: bool = True,
    group_id: int | None = None,
    task_id: int | None = None,
) -> AuditEntry:
    """Logs one change; the group and task it concerns are found from the subject and the
    actor when not given, so that the log can be filtered by them."""
    entry = entry_for(
        session,
        event_id=event_id,
        actor=actor,
        action=action,
        subject=subject,
        before=before,
        after=after,
        now=now,
        group_id=group_id,
        task_id=task_id,
    )
    session.add(entry)
    if event_id is not None and moves_standings:
        bump_revision(session, event_id)
    session.flush()
    return entry


def entry_for(
    session: Session,
    *,
    event_id: int | None,
    actor: Any,
    action: str,
    subject: str,
    before: dict | None,
    after: dict | None,
    now: datetime,
    group_id: int | None = None,
    task_id: int | None = None,
) -> AuditEntry:
    """An entry not yet added: for a change that logs many at once."""
    found_group, found_task = (
        (group_id, task_id) if group_id or task_id else concerns(session, subject, actor)
    )
    return AuditEntry(
        event_id=event_id,
        actor_id=actor.id if isinstance(actor, User) else None,
        actor=describe(actor),
        at=now,
        action=action,
        subject=subject,
        group_id=group_id if group_id is not None else found_group,
        task_id=task_id if task_id is not None else found_task,
        before=before,
        after=after,
    )


def concerns(session: Session, subject: str, actor: Any) -> tuple[int | None, int | None]:
    """The group and task behind a subject ("submission 12", "group 3", "task 5") or behind
    a participant acting for their group."""
    kind, _, number = subject.partition(" ")
    group_id = getattr(actor, "group_id", None) if isinstance(actor, Participant) else None
    if not number.isdigit():
        return group_id, None
    if kind == "submission":
        sub = session.get(Submission, int(number))
        return (sub.group_id, sub.task_id) if sub else (group_id, None)
    if kind == "group":
        return int(number), None
    if kind == "task":
        return group_id, int(number)
    return group_id, None


def bump_revision(session: Session, event_id: int) -> None:
    """One atomic UPDATE, so two workers bumping at once never lose an increment."""
    session.execute(
        sa.update(Event).where(Event.id == event_id).values(revision=Event.revision + 1)
    )


def describe(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, User):
        return f"{actor.name} <{actor.email}>"
    return f"{type(actor).__name__.lower()} {getattr(actor, 'name', '')} #{actor.id}"


def jsonable(value: Any) -> Any:
    """A value as the audit log keeps it: datetimes as ISO text."""
    return value.isoformat() if isinstance(value, datetime) else value
