"""Groups of an event: creating many at once, names, colours, codes, start offsets, members."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, func, select

from webapp.domain import joincodes
from webapp.domain.text import N_
from webapp.models import Event, Group, Participant
from webapp.services import ServiceError, audit, worth

PALETTE = (
    "#d62728",
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class GroupNameTaken(ServiceError):
    template = N_("There is already a group called %(name)s.")
    status = 409


class BadColour(ServiceError):
    template = N_("%(colour)s is not a colour; use the form #1f77b4.")


class NotInEvent(ServiceError):
    template = N_("That group or participant is not part of this event.")
    status = 404


def groups_of(session: Session, event_id: int) -> list[Group]:
    return list(
        session.exec(
            select(Group).where(Group.event_id == event_id).order_by(Group.position, Group.id)
        ).all()
    )


def group_in(session: Session, event: Event, group_id: int) -> Group:
    group = session.get(Group, group_id)
    if group is None or group.event_id != event.id:
        raise NotInEvent()
    return group


def unused_join_code(session: Session, taken: set[str]) -> str:
    """A fresh code: 25^8 codes make a clash rare, and a clash is simply drawn again."""
    while True:
        code = joincodes.new_code()
        exists = session.exec(select(Group.id).where(Group.join_code == code)).first()
        if code not in taken and exists is None:
            taken.add(code)
            return code


def add_groups(
    session: Session, *, event: Event, names: list[str], actor: object, now: datetime
) -> list[Group]:
    existing = groups_of(session, event.id)
    used = {group.name.casefold() for group in existing}
    taken: set[str] = set()
    groups = []
    for offset, name in enumerate(names):
        name = " ".join(name.split())[:120]
        if name.casefold() in used:
            raise GroupNameTaken(name=name)
        used.add(name.casefold())
        position = len(existing) + offset
        group = Group(
            event_id=event.id,
            name=name,
            colour=PALETTE[position % len(PALETTE)],
            join_code=unused_join_code(session, taken),
            position=position,
        )
        session.add(group)
        groups.append(group)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="groups.add",
        after={"groups": names},
        now=now,
    )
    return groups


def add_numbered_groups(
    session: Session, *, event: Event, count: int, prefix: str, actor: object, now: datetime
) -> list[Group]:
    """ "6 groups": Kelompok 1..6, continuing after the numbers already used."""
    existing = {group.name.casefold() for group in groups_of(session, event.id)}
    names, number = [], 1
    while len(names) < count:
        name = f"{prefix} {number}"
        if name.casefold() not in existing:
            names.append(name)
        number += 1
    return add_groups(session, event=event, names=names, actor=actor, now=now)


def update_group(
    session: Session,
    *,
    event: Event,
    group_id: int,
    actor: object,
    now: datetime,
    name: str | None = None,
    colour: str | None = None,
    start_offset_min: int | None = None,
    extra_min: int | None = None,
) -> tuple[Group, int]:
    """The group and how many of its submissions were rescored: a change of its times moves
    its deadlines, so what it sent is measured again against them."""
    group = group_in(session, event, group_id)
    before = {
        "name": group.name,
        "colour": group.colour,
        "start_offset_min": group.start_offset_min,
        "extra_min": group.extra_min,
    }
    if name is not None:
        name = " ".join(name.split())[:120]
        clash = session.exec(
            select(Group.id).where(
                Group.event_id == event.id,
                func.lower(Group.name) == name.lower(),
                Group.id != group.id,
            )
        ).first()
        if clash is not None:
            raise GroupNameTaken(name=name)
        group.name = name
    if colour is not None:
        if not COLOUR.match(colour):
            raise BadColour(colour=colour)
        group.colour = colour.lower()
    if start_offset_min is not None:
        group.start_offset_min = start_offset_min
    if extra_min is not None:
        group.extra_min = extra_min
    after = {
        "name": group.name,
        "colour": group.colour,
        "start_offset_min": group.start_offset_min,
        "extra_min": group.extra_min,
    }
    # Only the times can change a deadline, and so the standings.
    moves = (before["start_offset_min"], before["extra_min"]) != (
        group.start_offset_min,
        group.extra_min,
    )
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="group.update",
        subject=f"group {group.id}",
        before=before,
        after=after,
        now=now,
        moves_standings=moves,
    )
    rescored = (
        worth.retime(session, event, actor=actor, now=now, group_ids=[group.id]) if moves else 0
    )
    return group, rescored


def regenerate_code(
    session: Session, *, event: Event, group_id: int, actor: object, now: datetime
) -> Group:
    """A new code for a group whose card was lost; the old code stops working at once."""
    group = group_in(session, event, group_id)
    old = group.join_code
    group.join_code = unused_join_code(session, set())
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="group.new_code",
        subject=f"group {group.id}",
        before={"code": old},
        after={"code": group.join_code},
        now=now,
        moves_standings=False,
    )
    return group


def move_participant(
    session: Session,
    *,
    event: Event,
    participant_id: int,
    group_id: int,
    actor: object,
    now: datetime,
) -> Participant:
    participant = session.get(Participant, participant_id)
    if participant is None or participant.event_id != event.id:
        raise NotInEvent()
    group = group_in(session, event, group_id)
    before = participant.group_id
    participant.group_id = group.id
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="participant.move",
        subject=f"participant {participant.id}",
        before={"group_id": before},
        after={"group_id": group.id},
        now=now,
        moves_standings=False,
    )
    return participant


def members_by_group(session: Session, event_id: int) -> dict[int, list[Participant]]:
    members: dict[int, list[Participant]] = {}
    for participant in session.exec(
        select(Participant).where(Participant.event_id == event_id).order_by(Participant.name)
    ).all():
        members.setdefault(participant.group_id, []).append(participant)
    return members
