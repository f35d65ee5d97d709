"""Participants join their group with its join code and their name."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from webapp.domain import joincodes
from webapp.domain.text import N_
from webapp.models import Event, Group, Participant
from webapp.services import ServiceError


class WrongJoinCode(ServiceError):
    template = N_("No group has the code %(code)s. Check the code on your card and try again.")
    status = 404


class NameRequired(ServiceError):
    template = N_("Please write your name so that your group knows who sent what.")


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_group(session: Session, code: str) -> Group | None:
    return session.exec(select(Group).where(Group.join_code == joincodes.normalise(code))).first()


def join_group(session: Session, *, code: str, name: str, now: datetime) -> Participant:
    """Joining again with the same name (another phone, a cleared browser) is the same person."""
    name = " ".join(name.split())
    if not name:
        raise NameRequired()
    group = find_group(session, code)
    if group is None:
        raise WrongJoinCode(code=code.strip()[:20])
    participant = session.exec(
        select(Participant).where(
            Participant.group_id == group.id, Participant.name_key == name_key(name)
        )
    ).first()
    if participant is None:
        participant = Participant(
            event_id=group.event_id, group_id=group.id, name=name[:120], name_key=name_key(name)
        )
        session.add(participant)
    if participant.joined_at is None:
        participant.joined_at = now
    session.flush()
    return participant


def remember_duration(
    event: Event, now: datetime, *, hours_after: float, max_days: float
) -> timedelta:
    """Stay logged in until the event is over (plus a margin), never for a year."""
    wanted = event.ends_at - now + timedelta(hours=hours_after)
    return max(timedelta(hours=1), min(wanted, timedelta(days=max_days)))
