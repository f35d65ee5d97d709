"""Judging: a queue that gives each judge a different item, decisions, and adjustments."""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from webapp.domain import scoring
from webapp.domain.text import N_
from webapp.models import Adjustment, Event, Group, Review, Submission, Task, User
from webapp.services import ServiceError, audit, worth

CLAIM = timedelta(minutes=5)
MAX_ADJUSTMENT = 10_000


class NotInQueue(ServiceError):
    template = N_("That submission is not part of this event.")
    status = 404


class BadDecision(ServiceError):
    template = N_("Choose accept, reject or redo.")


class PointsOutOfRange(ServiceError):
    template = N_("Points must be between 0 and %(max)s.")


class RubricOutOfRange(ServiceError):
    template = N_("%(criterion)s must be between 0 and %(max)s.")


class RubricIncomplete(ServiceError):
    """An accept on a rubric task without a score for every criterion; `missing` names them."""

    template = N_("Score every criterion of the rubric before accepting: %(criteria)s.")
    status = 422

    def __init__(self, missing: list[str]):
        super().__init__(criteria=", ".join(missing))
        self.missing = missing


class ReasonRequired(ServiceError):
    template = N_("Please give the reason for the adjustment; the group will see it.")


class AdjustmentOutOfRange(ServiceError):
    template = N_("An adjustment is a number of points between -%(max)s and %(max)s, not 0.")


class WithdrawalReasonRequired(ServiceError):
    template = N_("Please say why the adjustment is withdrawn; it is kept in the log.")


class AdjustmentNotInEvent(ServiceError):
    template = N_("That adjustment is not part of this event.")
    status = 404


class AlreadyWithdrawn(ServiceError):
    template = N_("That adjustment was withdrawn already.")
    status = 409


class GroupNotInEvent(ServiceError):
    template = N_("That group is not part of this event.")
    status = 404


def waiting_query(event: Event, task_id: int | None, group_id: int | None):
    """Submissions that wait for a judge, oldest first, within the judge's filters."""
    query = (
        select(Submission.id)
        .where(Submission.event_id == event.id, Submission.status == "pending")
        .order_by(Submission.received_at, Submission.id)
    )
    if task_id:
        query = query.where(Submission.task_id == task_id)
    if group_id:
        query = query.where(Submission.group_id == group_id)
    return query


def free_for(judge: User, now: datetime):
    return sa.or_(
        Submission.claimed_until.is_(None),
        Submission.claimed_until < now,
        Submission.claimed_by_id == judge.id,
    )


def claim_next(
    session: Session,
    *,
    event: Event,
    judge: User,
    now: datetime,
    task_id: int | None = None,
    group_id: int | None = None,
    skip: Collection[int] = (),
) -> Submission | None:
    """The oldest unreviewed submission nobody else holds, held for this judge for a while;
    those the judge skipped are let go for other judges and not offered again.

    The claim is one conditional UPDATE, so two judges asking at the same moment never get
    the same item, on SQLite and on PostgreSQL alike.
    """
    query = waiting_query(event, task_id, group_id).limit(25)
    if skip:
        session.execute(
            sa.update(Submission)
            .where(Submission.id.in_(skip), Submission.claimed_by_id == judge.id)
            .values(claimed_by_id=None, claimed_until=None)
        )
        query = query.where(Submission.id.not_in(skip))
    free = free_for(judge, now)
    mine = session.exec(
        query.where(Submission.claimed_by_id == judge.id, Submission.claimed_until >= now)
    ).first()
    for candidate in ([mine] if mine else []) + list(session.exec(query.where(free)).all()):
        taken = session.execute(
            sa.update(Submission)
            .where(Submission.id == candidate, Submission.status == "pending", free)
            .values(claimed_by_id=judge.id, claimed_until=now + CLAIM)
        )
        if taken.rowcount == 1:
            sub = session.get(Submission, candidate)
            session.refresh(sub)
            return sub
    return None


def waiting(
    session: Session, *, event: Event, task_id: int | None = None, group_id: int | None = None
) -> int:
    """How many submissions wait for a judge, within the judge's filters."""
    ids = waiting_query(event, task_id, group_id).order_by(None).subquery()
    return session.exec(select(sa.func.count()).select_from(ids)).one()


def likely_next_photo(
    session: Session,
    *,
    event: Event,
    judge: User,
    now: datetime,
    current_id: int,
    task_id: int | None = None,
    group_id: int | None = None,
) -> str | None:
    """The photo this judge will most likely get next, for the browser to fetch while the
    judge looks at this one: on a slow connection the next photo is then already there."""
    query = (
        waiting_query(event, task_id, group_id)
        .with_only_columns(Submission.photo_key)
        .where(
            Submission.id != current_id,
            free_for(judge, now),
            Submission.photo_key.is_not(None),
        )
        .limit(1)
    )
    return session.exec(query).first()


def submission_in(
    session: Session, event: Event, submission_id: int, *, for_update: bool = False
) -> Submission:
    """The event's submission; `for_update` locks its row (PostgreSQL) so that two judges
    deciding at once settle it one after the other, each seeing the other's review."""
    sub = session.get(Submission, submission_id, with_for_update=True if for_update else None)
    if sub is None or sub.event_id != event.id:
        raise NotInQueue()
    return sub


def decide(
    session: Session,
    *,
    event: Event,
    judge: User,
    submission_id: int,
    decision: str,
    now: datetime,
    points: float | None = None,
    rubric: dict | None = None,
    comment: str = "",
) -> Review:
    """Records one judge's decision; earlier ones stay, and the event's rule resolves them."""
    if decision not in scoring.STATUS_AFTER:
        raise BadDecision()
    sub = submission_in(session, event, submission_id, for_update=True)
    task = session.get(Task, sub.task_id)
    check_scores(task, points, rubric)
    if decision == "accept":
        check_rubric_complete(task, points, rubric)
    review = Review(
        submission_id=sub.id,
        judge_id=judge.id,
        decision=decision,
        points=points,
        rubric=rubric or {},
        comment=comment.strip()[:1000],
        created_at=now,
    )
    session.add(review)
    session.flush()
    before = {"status": sub.status, "worth": worth.net_points(sub)}
    reviews = list(session.exec(select(Review).where(Review.submission_id == sub.id)))
    worth.settle(sub, task, reviews, event.review_conflict)
    sub.claimed_by_id, sub.claimed_until = None, None
    audit.record(
        session,
        event_id=event.id,
        actor=judge,
        action="review.rejudge" if before["status"] != "pending" else "review.decide",
        subject=f"submission {sub.id}",
        before=before,
        after={
            "status": sub.status,
            "worth": worth.net_points(sub),
            "decision": decision,
            "points": points,
            "rubric": rubric or None,
            "comment": review.comment,
        },
        now=now,
    )
    return review


def check_scores(task: Task, points: float | None, rubric: dict | None) -> None:
    if points is not None and not 0 <= points <= task.points:
        raise PointsOutOfRange(max=task.points)
    limits = {c["name"]: float(c["max"]) for c in task.rubric}
    for name, value in (rubric or {}).items():
        if name not in limits or not 0 <= float(value) <= limits[name]:
            raise RubricOutOfRange(criterion=name, max=limits.get(name, 0))


def check_rubric_complete(task: Task, points: float | None, rubric: dict | None) -> None:
    """A judge scores every criterion of a rubric task; an empty rubric earns full points only
    where the task says so (else pressing accept alone would give full marks, and one
    criterion scored would give less)."""
    if not task.rubric or points is not None or (task.rubric_optional and not rubric):
        return
    missing = [c["name"] for c in task.rubric if c["name"] not in (rubric or {})]
    if missing:
        raise RubricIncomplete(missing)


def reviews_of(session: Session, submission_id: int) -> list[tuple[Review, str]]:
    return [
        (review, name or "")
        for review, name in session.exec(
            select(Review, User.name)
            .join(User, User.id == Review.judge_id, isouter=True)
            .where(Review.submission_id == submission_id)
            .order_by(Review.created_at)
        )
    ]


def reviews_seen_by(
    session: Session, submission_id: int, judge: User, *, sees_all: bool
) -> tuple[list[tuple[Review, str]], int]:
    """The earlier reviews of a submission this judge may see, and how many are hidden.

    A judge sees other judges' decisions, points and names only once they have decided on
    the item themselves: seen before, they anchor the judge's own score, which biases an
    average. Organisers (`sees_all`) see every review at once.
    """
    reviews = reviews_of(session, submission_id)
    if sees_all or any(review.judge_id == judge.id for review, _name in reviews):
        return reviews, 0
    return [], len(reviews)


def add_adjustment(
    session: Session,
    *,
    event: Event,
    group_id: int,
    points: float,
    reason: str,
    actor: User,
    now: datetime,
) -> Adjustment:
    if not math.isfinite(points) or not 0 < abs(points) <= MAX_ADJUSTMENT:
        raise AdjustmentOutOfRange(max=MAX_ADJUSTMENT)
    reason = " ".join(reason.split())
    if not reason:
        raise ReasonRequired()
    group = session.get(Group, group_id)
    if group is None or group.event_id != event.id:
        raise GroupNotInEvent()
    adjustment = Adjustment(
        event_id=event.id,
        group_id=group.id,
        points=points,
        reason=reason[:500],
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(adjustment)
    session.flush()
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="adjustment.add",
        subject=f"group {group.id}",
        after={"points": points, "reason": reason},
        now=now,
    )
    return adjustment


def withdraw_adjustment(
    session: Session,
    *,
    event: Event,
    adjustment_id: int,
    reason: str,
    actor: User,
    now: datetime,
) -> Adjustment:
    """An adjustment stops counting; it stays, with who withdrew it, when and why."""
    reason = " ".join(reason.split())
    if not reason:
        raise WithdrawalReasonRequired()
    adjustment = session.get(Adjustment, adjustment_id)
    if adjustment is None or adjustment.event_id != event.id:
        raise AdjustmentNotInEvent()
    if adjustment.withdrawn_at is not None:
        raise AlreadyWithdrawn()
    adjustment.withdrawn_at, adjustment.withdrawn_by_id = now, actor.id
    adjustment.withdrawn_reason = reason[:500]
    audit.record(
        session,
        event_id=event.id,
        actor=actor,
        action="adjustment.withdraw",
        subject=f"group {adjustment.group_id}",
        before={"points": adjustment.points, "reason": adjustment.reason},
        after={"points": None, "reason": adjustment.withdrawn_reason},
        now=now,
    )
    return adjustment


@dataclass(frozen=True)
class AdjustmentRow:
    adjustment: Adjustment
    group: str
    by: str
    withdrawn_by: str


def adjustments_of(session: Session, event_id: int) -> list[AdjustmentRow]:
    """Every adjustment, newest first, withdrawn ones too, with the names of who made and
    who withdrew it."""
    creator, withdrawer = aliased(User), aliased(User)
    return [
        AdjustmentRow(adj, group, by or "", withdrawn_by or "")
        for adj, group, by, withdrawn_by in session.exec(
            select(Adjustment, Group.name, creator.name, withdrawer.name)
            .join(Group, Group.id == Adjustment.group_id)
            .join(creator, creator.id == Adjustment.created_by_id, isouter=True)
            .join(withdrawer, withdrawer.id == Adjustment.withdrawn_by_id, isouter=True)
            .where(Adjustment.event_id == event_id)
            .order_by(Adjustment.created_at.desc(), Adjustment.id.desc())
        )
    ]
