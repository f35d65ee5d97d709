"""Events and their staff: listing them, appointing judges, what came in."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from webapp.domain.text import N_
from webapp.models import Event, EventStaff, Group, Participant, Submission, Task, User
from webapp.services import ServiceError, accounts, audit


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


class NeedsPassword(ServiceError):
    template = N_(
        "There is no account %(email)s yet; give a name and a password of at least "
        "8 characters to create one."
    )


def appoint_judge(
    session: Session,
    *,
    event: Event,
    email: str,
    name: str | None,
    password: str | None,
    actor: User,
    now: datetime,
) -> User:
    user = accounts.find_by_email(session, email)
    if user is None:
        if not password:
            raise NeedsPassword(email=email)
        user = accounts.create_account(
            session, email=email, name=name or "", password=password, now=now
        )
    if staff_role_of(session, event.id, user.id) == "organiser":
        return user
    appoint(session, event=event, user=user, role="judge")
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="judge.appoint",
        subject=user.email,
        now=now,
        moves_standings=False,
    )
    return user


def remove_judge(
    session: Session, *, event: Event, user_id: int, actor: User, now: datetime
) -> None:
    staff = session.get(EventStaff, (event.id, user_id))
    if staff is not None and staff.role == "judge":
        session.delete(staff)
        session.flush()
        audit.record(
            session,
            event_id=event.id,
            actor=actor,
            action="judge.remove",
            subject=f"user {user_id}",
            now=now,
            moves_standings=False,
        )


class NotStaff(ServiceError):
    template = N_("That account is not a judge of this event.")
    status = 404


def allow_event_creation(
    session: Session, *, event: Event, user_id: int, actor: User, now: datetime
) -> User:
    """Makes a judge of this event an organiser: one who may create events of their own.
    It does not hand over this event."""
    user = session.get(User, user_id)
    if user is None or staff_role_of(session, event.id, user_id) is None:
        raise NotStaff()
    if not user.can_create_events:
        user.can_create_events = True
        audit.record(
            session,
            event_id=event.id,
            actor=actor,
            action="account.allow_events",
            subject=user.email,
            before={"can_create_events": False},
            after={"can_create_events": True},
            now=now,
            moves_standings=False,
        )
    return user


def staff_role_of(session: Session, event_id: int, user_id: int) -> str | None:
    staff = session.get(EventStaff, (event_id, user_id))
    return staff.role if staff else None


def staff_of(session: Session, event_id: int) -> list[tuple[User, str]]:
    rows = session.exec(
        select(User, EventStaff.role)
        .join(EventStaff, EventStaff.user_id == User.id)
        .where(EventStaff.event_id == event_id)
        .order_by(EventStaff.role.desc(), User.name)
    ).all()
    return [(user, role) for user, role in rows]
