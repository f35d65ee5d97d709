"""Participants join their group with its join code and their name, in two steps: the code
names the event and the group (and lists the group's names from the roster), then the person
picks their name or types it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from webapp.domain import joincodes
from webapp.domain.text import N_
from webapp.models import Event, Group, Participant
from webapp.services import ServiceError


class WrongJoinCode(ServiceError):
    template = N_("No group has the code %(code)s. Check the code on your card and try again.")
    status = 404


class EventEnded(ServiceError):
    """The page shows the event and when it ended; `event` is kept for it."""

    template = N_("%(event)s is over: joining has closed.")
    status = 403

    def __init__(self, event: Event) -> None:
        super().__init__(event=event.title)
        self.event = event


class NameRequired(ServiceError):
    template = N_("Please write your name so that your group knows who sent what.")


class NotInGroup(ServiceError):
    template = N_("That name is not on your group's list. Pick your name again or type it.")


class PickOrType(ServiceError):
    template = N_(
        "You picked %(picked)s and typed %(typed)s. Pick your name from the list, or type a "
        "new one, not both."
    )


class Removed(ServiceError):
    template = N_("The organiser has taken %(name)s off this group. Ask them if this is a mistake.")
    status = 403


@dataclass(frozen=True)
class Joining:
    """What the second step shows: whose group this is, and the names already on it."""

    event: Event
    group: Group
    members: list[Participant]


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def find_group(session: Session, code: str) -> Group | None:
    code = joincodes.normalise(code)
    if not joincodes.looks_valid(code):
        return None
    return session.exec(select(Group).where(Group.join_code == code)).first()


def open_group(session: Session, *, code: str, now: datetime) -> Joining:
    """The first step. An event not started yet can be joined; one that is over cannot."""
    group = find_group(session, code)
    if group is None:
        raise WrongJoinCode(code=code.strip()[:20])
    event = session.get(Event, group.event_id)
    if event.ends_at <= now:
        raise EventEnded(event)
    members = session.exec(
        select(Participant)
        .where(Participant.group_id == group.id, Participant.removed_at.is_(None))
        .order_by(Participant.name)
    ).all()
    return Joining(event=event, group=group, members=list(members))


def join_group(
    session: Session, *, code: str, name: str, now: datetime, member_id: int | None = None
) -> Participant:
    """The second step: a name picked from the group's list, or typed.

    Joining again as the same person (another phone, a cleared browser) is that person,
    whether the name was picked or typed the same way again.
    """
    joining = open_group(session, code=code, now=now)
    name = " ".join(name.split())
    participant = None
    if member_id is not None:
        participant = next((p for p in joining.members if p.id == member_id), None)
        if participant is None:
            raise NotInGroup()
        if name and name_key(name) != participant.name_key:
            raise PickOrType(picked=participant.name, typed=name)
    elif not name:
        raise NameRequired()
    else:
        participant = session.exec(
            select(Participant).where(
                Participant.group_id == joining.group.id,
                Participant.name_key == name_key(name[:120]),
            )
        ).first()
    if participant is None:
        participant = Participant(
            event_id=joining.event.id,
            group_id=joining.group.id,
            name=name[:120],
            name_key=name_key(name[:120]),
        )
        session.add(participant)
    if participant.removed_at is not None:
        raise Removed(name=participant.name)
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
