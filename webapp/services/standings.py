"""The standings of an event from the database, through the pure scoring module."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from webapp.db import fast_time, utc_from_raw
from webapp.domain import scoring
from webapp.models import Adjustment, Event, Group, HintUse, Review, Submission, Task


def revision(session: Session, event_id: int) -> int | None:
    """The one number an unchanged board or phone needs: it costs one small query."""
    return session.connection().execute(select(Event.revision).where(Event.id == event_id)).scalar()


def event_settings(event: Event) -> scoring.Settings:
    order = tuple(name.strip() for name in event.tie_break.split(",") if name.strip())
    return scoring.Settings(
        conflict=event.review_conflict, counts=event.counts, tie_break=order or scoring.TIE_BREAKS
    )


def compute(session: Session, event: Event, until: datetime | None = None) -> list[scoring.Row]:
    """Reads plain rows through Core (no ORM objects): the board asks for this on every change.

    With `until`, the standings as they stood then: what arrived, was judged or adjusted later
    is left out (the board's freeze).
    """
    run = session.connection().execute
    dialect = session.get_bind().dialect.name
    groups = [
        tuple(row)
        for row in run(
            select(Group.id, Group.name)
            .where(Group.event_id == event.id)
            .order_by(Group.position, Group.id)
        )
    ]
    tasks = [
        scoring.ScoringTask(
            ident,
            title,
            points,
            sum(float(c.get("max", 0)) for c in rubric),
            tuple(first_bonus),
            late,
        )
        for ident, title, points, rubric, first_bonus, late in run(
            select(
                Task.id, Task.title, Task.points, Task.rubric, Task.first_bonus, Task.late
            ).where(Task.event_id == event.id)
        )
    ]
    reviews: dict[int, list[scoring.Review]] = {}
    for sub_id, judge, decision, points, rubric, at in run(
        select(
            Review.submission_id,
            Review.judge_id,
            Review.decision,
            Review.points,
            Review.rubric,
            fast_time(Review.created_at, dialect),
        )
        .join(Submission, Submission.id == Review.submission_id)
        .where(Submission.event_id == event.id)
    ):
        reviews.setdefault(sub_id, []).append(
            scoring.Review(judge or 0, decision, utc_from_raw(at), points, rubric or None)
        )
    # Only an accepted or a reviewed submission can earn anything.
    submissions = [
        scoring.ScoringSubmission(
            ident,
            task_id,
            group_id,
            utc_from_raw(received),
            status,
            late,
            tuple(reviews.get(ident, ())),
        )
        for ident, task_id, group_id, received, status, late in run(
            select(
                Submission.id,
                Submission.task_id,
                Submission.group_id,
                fast_time(Submission.received_at, dialect),
                Submission.status,
                Submission.late_minutes,
            ).where(Submission.event_id == event.id)
        )
        if status == "accepted" or ident in reviews
    ]
    hints = [
        scoring.HintCost(group, task, cost, utc_from_raw(at))
        for group, task, cost, at in run(
            select(
                HintUse.group_id,
                HintUse.task_id,
                HintUse.cost,
                fast_time(HintUse.created_at, dialect),
            ).where(HintUse.event_id == event.id)
        )
    ]
    adjustments = [
        scoring.Adjustment(group, points, reason, utc_from_raw(at))
        for group, points, reason, at in run(
            select(
                Adjustment.group_id,
                Adjustment.points,
                Adjustment.reason,
                fast_time(Adjustment.created_at, dialect),
            ).where(Adjustment.event_id == event.id)
        )
    ]
    if until is not None:
        submissions = [frozen_view(sub, until) for sub in submissions if sub.received_at <= until]
        hints = [hint for hint in hints if hint.at <= until]
        adjustments = [adj for adj in adjustments if adj.at <= until]
    return scoring.standings(groups, tasks, submissions, hints, adjustments, event_settings(event))


def frozen_view(sub: scoring.ScoringSubmission, until: datetime) -> scoring.ScoringSubmission:
    """A submission as it stood at `until`: a judge's later decisions are not yet made."""
    kept = tuple(review for review in sub.reviews if review.at <= until)
    status = sub.status if kept or not sub.reviews else "pending"
    return sub._replace(reviews=kept, status=status)


def as_json(rows: list[scoring.Row], event: Event, colours: dict[int, str]) -> dict:
    return {
        "event": event.id,
        "revision": event.revision,
        "groups": [
            {
                "id": row.group_id,
                "name": row.name,
                "colour": colours.get(row.group_id),
                "rank": row.rank,
                "points": float(row.total),
                "tasks_completed": row.tasks_completed,
            }
            for row in rows
        ],
    }


def colours_of(session: Session, event_id: int) -> dict[int, str]:
    rows = session.exec(select(Group.id, Group.colour).where(Group.event_id == event_id)).all()
    return {ident: colour for ident, colour in rows}
