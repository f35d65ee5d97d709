"""Login sessions: one row per login on one browser, so that a login can be ended for good.

The browser keeps a random token (in Flask's session cookie and, for participants, in the
remember cookie); the database keeps only its SHA-256. Each request looks the token up, so
ending the row logs that browser out at its next request, and a copied cookie stops working
with it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.models import LoginSession, Participant, User


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(session: Session, who: User | Participant, *, now: datetime, expires_at: datetime) -> str:
    """A new login for `who`; returns the token, which only the browser keeps."""
    token = secrets.token_urlsafe(32)
    row = LoginSession(token_hash=token_hash(token), created_at=now, expires_at=expires_at)
    if isinstance(who, User):
        row.user_id = who.id
    else:
        row.participant_id = who.id
    session.add(row)
    session.flush()
    return token


def find_live(session: Session, token: str, *, now: datetime) -> LoginSession | None:
    row = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
    ).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


def end(session: Session, token: str, *, now: datetime) -> None:
    """Ends one login (logging out on this browser ends only this one)."""
    _end(session, LoginSession.token_hash == token_hash(token), now=now)


def end_for_user(session: Session, user_id: int, *, now: datetime) -> int:
    return _end(session, LoginSession.user_id == user_id, now=now)


def end_for_participants(session: Session, participant_ids: Iterable[int], *, now: datetime) -> int:
    ids = list(participant_ids)
    if not ids:
        return 0
    return _end(session, LoginSession.participant_id.in_(ids), now=now)


def end_for_group(session: Session, group_id: int, *, now: datetime) -> int:
    members = select(Participant.id).where(Participant.group_id == group_id)
    return _end(session, LoginSession.participant_id.in_(members), now=now)


def _end(session: Session, where: sa.ColumnElement[bool], *, now: datetime) -> int:
    """One UPDATE: a login that is in use right now ends at its next request."""
    result = session.execute(
        sa.update(LoginSession)
        .where(where, LoginSession.ended_at.is_(None))
        .values(ended_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
