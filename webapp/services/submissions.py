"""Receiving what a group sends: idempotent by the key the phone made, never stored twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain import windows
from webapp.domain.text import N_
from webapp.models import Event, Group, Participant, Submission, Task
from webapp.services import ServiceError


class MissingKey(ServiceError):
    template = N_("The phone did not send an idempotency key; please reload the page.")


class NotYourTask(ServiceError):
    template = N_("This task is not part of your event.")
    status = 404


@dataclass(frozen=True)
class Received:
    submission: Submission
    created: bool  # False when this was a retry of a key already stored


def find_by_key(session: Session, group_id: int, key: str) -> Submission | None:
    return session.exec(
        select(Submission).where(Submission.group_id == group_id, Submission.idempotency_key == key)
    ).first()


def store_once(session: Session, submission: Submission) -> Received:
    """Inserts in a savepoint; when a concurrent retry won the race, returns its row instead."""
    try:
        with session.begin_nested():
            session.add(submission)
    except sa.exc.IntegrityError:
        existing = find_by_key(session, submission.group_id, submission.idempotency_key)
        if existing is None:
            raise
        return Received(existing, created=False)
    return Received(submission, created=True)


def check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > 64:
        raise MissingKey()
    return key


def task_of(session: Session, participant: Participant, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.event_id != participant.event_id:
        raise NotYourTask()
    return task


def received_window(pressed_at: datetime | None, now: datetime) -> datetime:
    """A phone clock is not trusted beyond the moment the server received the submission."""
    if pressed_at is None or pressed_at > now:
        return now
    return pressed_at


class TaskNotOpen(ServiceError):
    template = N_("This task is not open yet.")
    status = 409


class DeadlinePassed(ServiceError):
    template = N_("The deadline for this task has passed.")
    status = 409


class AlreadySent(ServiceError):
    template = N_("Your group has already sent this task; it is waiting for a judge or approved.")
    status = 409


class EmptyAnswer(ServiceError):
    template = N_("Please write an answer before sending.")


def submit_answer(
    session: Session,
    *,
    participant: Participant,
    task_id: int,
    key: str | None,
    answer: str,
    pressed_at: datetime | None,
    now: datetime,
) -> Received:
    """Stores a group's answer once; a retry with the same key gets the first answer back."""
    from webapp.services.play import task_cards

    key = check_key(key)
    existing = find_by_key(session, participant.group_id, key)
    if existing is not None:
        return Received(existing, created=False)
    task = task_of(session, participant, task_id)
    answer = answer.strip()
    if not answer:
        raise EmptyAnswer()
    group = session.get(Group, participant.group_id)
    event = session.get(Event, participant.event_id)
    card = next(c for c in task_cards(session, group=group, now=now) if c.task.id == task.id)
    if card.state in ("pending", "accepted"):
        raise AlreadySent()
    try:
        timing = windows.timing(
            card.window,
            late=task.late,
            queued_policy=event.queued_late_policy,
            pressed_at=pressed_at,
            received_at=now,
            unlocked=card.state != "locked",
        )
    except windows.TaskLocked as exc:
        raise TaskNotOpen() from exc
    except windows.WindowClosed as exc:
        raise DeadlinePassed() from exc
    submission = Submission(
        event_id=event.id,
        task_id=task.id,
        group_id=group.id,
        participant_id=participant.id,
        idempotency_key=key,
        status="pending",
        answer=answer[:4000],
        pressed_at=received_window(pressed_at, now),
        received_at=now,
        late_minutes=timing.late_minutes,
        late_flag=timing.flagged,
    )
    return store_once(session, submission)
