"""Receiving what a group sends: checked, decided where a rule can decide, stored exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from webapp.domain import answers, geo, windows
from webapp.domain.text import N_
from webapp.models import Event, Group, Location, Participant, Submission, Task
from webapp.services import ServiceError, audit, worth
from webapp.services.submission_photos import (
    DEFAULT_LIMITS,
    PhotoLimits,
    StoredPhoto,
    attach_photo,
    discard,
    photo_flags,
    store_photo,
)
from webapp.storage import LocalPhotoStore

PHOTO_KINDS = ("photo", "photo_at_location")


class MissingKey(ServiceError):
    template = N_("The phone did not send an idempotency key; please reload the page.")


class NotYourTask(ServiceError):
    template = N_("This task is not part of your event.")
    status = 404


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


class NotANumber(ServiceError):
    template = N_("Please write a number, for example 1545 or 3,5.")


class NotAChoice(ServiceError):
    template = N_("Please pick one of the choices.")


class NoPosition(ServiceError):
    template = N_(
        "Your phone did not share its location. Allow location for this site and try again."
    )


class TooFarFromLocation(ServiceError):
    template = N_(
        "You are %(distance)s from %(place)s, about %(outside)s outside the "
        "check-in area. Come closer and try again."
    )
    status = 409


class PhotoRequired(ServiceError):
    template = N_("Please take or choose a photo first.")


class UnreadableAnswer(ServiceError):
    template = N_("The answer contains a character that cannot be stored. Please type it again.")


@dataclass(frozen=True)
class Sent:
    """What the phone sent for one task, as plain values."""

    key: str | None
    answer: str = ""
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    pressed_at: datetime | None = None
    photo: bytes | None = None
    client_evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    submission: Submission
    created: bool  # False when this was a retry of a key already stored


@dataclass(frozen=True)
class Plan:
    """What the reads decided: the first answer again for a retried key, else whether a
    photo has to be processed before the writes."""

    replay: Received | None
    photo: bool = False


def find_by_key(session: Session, group_id: int, key: str) -> Submission | None:
    return session.exec(
        select(Submission).where(Submission.group_id == group_id, Submission.idempotency_key == key)
    ).first()


def check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key or len(key) > 64 or not key.isprintable():
        raise MissingKey()
    return key


def task_of(session: Session, participant: Participant, task_id: int) -> Task:
    task = session.get(Task, task_id)
    if task is None or task.event_id != participant.event_id:
        raise NotYourTask()
    return task


def bounded_press(pressed_at: datetime | None, now: datetime) -> datetime:
    """A phone clock is not believed beyond the moment the server received the submission."""
    if pressed_at is None or pressed_at.tzinfo is None or pressed_at > now:
        return now
    return pressed_at


def submit(
    session: Session,
    *,
    participant: Participant,
    task_id: int,
    sent: Sent,
    now: datetime,
    store: LocalPhotoStore | None = None,
    limits: PhotoLimits = DEFAULT_LIMITS,
) -> Received:
    """Stores a group's submission once; a retry with the same key gets the first one back.

    The three steps in the caller's one transaction. The phone's view runs them in two, with
    the photo's work between (see `play.receive`): `check` reads and refuses early,
    `store_photo` works outside any transaction, `record` checks again and writes.
    """
    plan = check(session, participant=participant, task_id=task_id, sent=sent, now=now)
    if plan.replay is not None:
        return plan.replay
    photo = store_photo(sent.photo, store=store, limits=limits) if plan.photo else None
    try:
        received = record(
            session, participant=participant, task_id=task_id, sent=sent, photo=photo, now=now
        )
    except BaseException:
        discard(photo, store)
        raise
    if not received.created:
        discard(photo, store)
    return received


def check(
    session: Session, *, participant: Participant, task_id: int, sent: Sent, now: datetime
) -> Plan:
    """The reads: a retried key gets its first submission back, and what the rules refuse is
    refused before its photo is decoded. Writes nothing."""
    key = check_key(sent.key)
    existing = find_by_key(session, participant.group_id, key)
    if existing is not None:
        return Plan(Received(existing, created=False))
    try:
        submission = prepare(session, participant, task_id, key, sent, now, photo=None)
    except ServiceError:
        # A concurrent retry of this key may have been stored meanwhile: answer with it.
        stored = find_by_key(session, participant.group_id, key)
        if stored is not None:
            return Plan(Received(stored, created=False))
        raise
    return Plan(None, photo=session.get(Task, submission.task_id).kind in PHOTO_KINDS)


def record(
    session: Session,
    *,
    participant: Participant,
    task_id: int,
    sent: Sent,
    photo: StoredPhoto | None,
    now: datetime,
) -> Received:
    """The writes, meant for a short write transaction: every check is made again on what
    is committed now, so that "already sent" and the key hold whatever happened meanwhile.

    The group's row is locked first: two sends of one group then run one after the other and
    the second sees the first. On SQLite the write transaction already holds every other
    writer off; on PostgreSQL each transaction sees only what was committed when it read, and
    before this lock 15 of 16 simultaneous sends with different keys passed "already sent".
    A lock, not a unique index on (group, task): "already sent" is the task card's state (a
    redo request reopens a task, late policies and locks decide too, a judge may still turn
    an old refusal into an acceptance), which no index predicate can follow.
    """
    key = check_key(sent.key)
    session.exec(
        select(Group.id).where(Group.id == participant.group_id).with_for_update(key_share=True)
    ).one()
    existing = find_by_key(session, participant.group_id, key)
    if existing is not None:
        return Received(existing, created=False)
    submission = prepare(session, participant, task_id, key, sent, now, photo=photo)
    session.add(submission)
    session.flush()
    # Phones and the board see the new state on their next poll; an automatic decision moves
    # the standings, so it is logged like a judge's.
    audit.record(
        session,
        event_id=submission.event_id,
        actor=participant,
        action="submission.receive",
        subject=f"submission {submission.id}",
        after={
            "task": submission.task_id,
            "status": submission.status,
            "late_minutes": submission.late_minutes,
        },
        now=now,
    )
    return Received(submission, created=True)


def prepare(
    session: Session,
    participant: Participant,
    task_id: int,
    key: str,
    sent: Sent,
    now: datetime,
    *,
    photo: StoredPhoto | None,
) -> Submission:
    """Checks the task's state and deadline and decides what a rule can decide; the row,
    not added. Without `photo` (before it is processed) a photo task's evidence is left out."""
    from webapp.services.play import task_cards

    task = task_of(session, participant, task_id)
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
            pressed_at=bounded_press(sent.pressed_at, now),
            received_at=now,
            unlocked=card.state != "locked",
        )
    except windows.TaskLocked as exc:
        raise TaskNotOpen() from exc
    except windows.WindowClosed as exc:
        raise DeadlinePassed() from exc
    if "\x00" in sent.answer:
        raise UnreadableAnswer()
    submission = Submission(
        event_id=event.id,
        task_id=task.id,
        group_id=group.id,
        participant_id=participant.id,
        idempotency_key=key,
        answer=sent.answer.strip()[:4000],
        pressed_at=bounded_press(sent.pressed_at, now),
        received_at=now,
        late_minutes=timing.late_minutes,
        late_flag=timing.flagged,
        lat=sent.lat,
        lon=sent.lon,
        accuracy_m=sent.accuracy_m,
    )
    location = session.get(Location, task.location_id) if task.location_id else None
    verdict = decide(task, submission, sent, location)
    if task.kind in PHOTO_KINDS:
        if sent.photo is None:
            raise PhotoRequired()  # an empty file goes on, to be refused as empty
        if photo is not None:
            attach_photo(submission, photo, sent.client_evidence, event.timezone)
            submission.flags = photo_flags(session, submission, task, card.window, location)
    submission.status = status_for(verdict, task, timing)
    submission.auto_decided = verdict != answers.NEEDS_JUDGE
    worth.value_submission(submission, task, [], event.review_conflict)
    return submission


def decide(task: Task, submission: Submission, sent: Sent, location: Location | None) -> str:
    """The automatic verdict, or NEEDS_JUDGE; refuses input of the wrong kind for the task."""
    check = task.check or {}
    if task.kind == "text":
        if not submission.answer:
            raise EmptyAnswer()
        verdict = answers.check_text(submission.answer, check.get("answers", []))
        if verdict == answers.NEEDS_JUDGE and check.get("review") == "auto":
            return answers.CORRECT  # an open answer the organiser takes as it comes
        return verdict
    if task.kind == "number":
        if answers.parse_number(submission.answer) is None:
            raise NotANumber()
        return answers.check_number(
            submission.answer, check.get("answer"), float(check.get("tolerance", 0))
        )
    if task.kind == "choice":
        if not answers.is_choice(submission.answer, check.get("choices", [])):
            raise NotAChoice()
        return answers.check_choice(
            submission.answer, check.get("choices", []), check.get("answer")
        )
    if location is not None and geo.valid_position(sent.lat, sent.lon):
        result = geo.check_in(
            (location.lat, location.lon), location.radius_m, (sent.lat, sent.lon), sent.accuracy_m
        )
        submission.distance_m = result.distance_m
        if task.kind == "checkin":
            if not result.inside:
                raise TooFarFromLocation(
                    distance=geo.Metres(result.distance_m),
                    place=location.name,
                    outside=geo.Metres(result.outside_by_m),
                )
            return answers.CORRECT
    if task.kind == "checkin":
        raise NoPosition()
    return answers.CORRECT if check.get("review") == "auto" else answers.NEEDS_JUDGE


def status_for(verdict: str, task: Task, timing: windows.Timing) -> str:
    """A flagged submission (sent before the deadline by the phone's clock but received after
    it, or late on a task that sends late work to the judges) waits for a judge even when a
    rule found it right: the phone's clock is evidence, not proof."""
    if verdict == answers.NEEDS_JUDGE or timing.flagged:
        return "pending"
    return "accepted" if verdict == answers.CORRECT else "rejected"
