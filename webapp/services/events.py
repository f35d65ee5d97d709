"""Events and their staff: listing them, appointing judges, what came in."""

from __future__ import annotations

from sqlmodel import Session, select

from webapp.models import Event, EventStaff, Group, Participant, Submission, Task, User


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
