"""The audit log and the event revision that every score-moving change bumps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from webapp.models import AuditEntry, Event, User


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
) -> AuditEntry:
    entry = AuditEntry(
        event_id=event_id,
        actor_id=actor.id if isinstance(actor, User) else None,
        actor=describe(actor),
        at=now,
        action=action,
        subject=subject,
        before=before,
        after=after,
    )
    session.add(entry)
    if event_id is not None and moves_standings:
        bump_revision(session, event_id)
    session.flush()
    return entry


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
