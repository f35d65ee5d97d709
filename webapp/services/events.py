"""Events, their staff and their groups: creating and listing them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from webapp.domain import joincodes
from webapp.models import Event, EventStaff, Group, Participant, Submission, Task, User
from webapp.services import audit

PALETTE = ("#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22", "#7f7f7f")


def events_for(session: Session, user: User) -> list[tuple[Event, str]]:
    rows = session.exec(
        select(Event, EventStaff.role)
        .join(EventStaff, EventStaff.event_id == Event.id)
        .where(EventStaff.user_id == user.id)
        .order_by(Event.starts_at.desc())
    ).all()
    return [(event, role) for event, role in rows]


def appoint(session: Session, *, event: Event, user: User, role: str) -> EventStaff:
    staff = session.get(EventStaff, (event.id, user.id))
    if staff is None:
        staff = EventStaff(event_id=event.id, user_id=user.id, role=role)
        session.add(staff)
    staff.role = role
    session.flush()
    return staff


def unused_join_code(session: Session, taken: set[str] | None = None) -> str:
    """A fresh code: 25^6 codes make a clash rare, and a clash is simply drawn again."""
    taken = taken if taken is not None else set()
    while True:
        code = joincodes.new_code()
        exists = session.exec(select(Group.id).where(Group.join_code == code)).first()
        if code not in taken and exists is None:
            taken.add(code)
            return code


def add_groups(
    session: Session, *, event: Event, names: list[str], actor: object, now: datetime
) -> list[Group]:
    existing = session.exec(select(Group).where(Group.event_id == event.id)).all()
    start = len(existing)
    taken: set[str] = set()
    groups = []
    for offset, name in enumerate(names):
        position = start + offset
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
        session, event_id=event.id, actor=actor, action="groups.add",
        after={"groups": names}, now=now,
    )
    return groups


def groups_of(session: Session, event_id: int) -> list[Group]:
    return list(
        session.exec(
            select(Group).where(Group.event_id == event_id).order_by(Group.position, Group.id)
        ).all()
    )


def members_by_group(session: Session, event_id: int) -> dict[int, list[Participant]]:
    members: dict[int, list[Participant]] = {}
    for participant in session.exec(
        select(Participant).where(Participant.event_id == event_id).order_by(Participant.name)
    ).all():
        members.setdefault(participant.group_id, []).append(participant)
    return members


def tasks_of(session: Session, event_id: int) -> list[Task]:
    return list(
        session.exec(
            select(Task).where(Task.event_id == event_id).order_by(Task.position, Task.id)
        ).all()
    )


def recent_submissions(
    session: Session, event_id: int, limit: int = 100
) -> list[tuple[Submission, Task, Group, Participant | None]]:
    rows = session.exec(
        select(Submission, Task, Group, Participant)
        .join(Task, Task.id == Submission.task_id)
        .join(Group, Group.id == Submission.group_id)
        .join(Participant, Participant.id == Submission.participant_id, isouter=True)
        .where(Submission.event_id == event_id)
        .order_by(Submission.received_at.desc(), Submission.id.desc())
        .limit(limit)
    ).all()
    return [tuple(row) for row in rows]
