"""The standings of an event from the database, through the pure scoring module."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.db import fast_time, utc_from_raw
from webapp.domain import scoring
from webapp.models import Adjustment, Event, Group, HintUse, Review, Submission, Task


def revision(session: Session, event_id: int) -> int | None:
    """The one number an unchanged board or phone needs: it costs one small query."""
    return session.connection().execute(select(Event.revision).where(Event.id == event_id)).scalar()


def event_settings(event: Event) -> scoring.Settings:
    return scoring.Settings(
        conflict=event.review_conflict,
        counts=event.counts,
        tie_break=scoring.tie_break_order(event.tie_break),
    )


def tie_break_text(event: Event, translate: Callable[[str], str]) -> str:
    """The event's tie-break in plain words, in the language of `translate` (gettext on a
    page, an export's own translator in a workbook): for the board and the results file."""
    return scoring.tie_break_rule(scoring.tie_break_order(event.tie_break), translate)


def compute(session: Session, event: Event, until: datetime | None = None) -> list[scoring.Row]:
    """The standings now, from each submission's stored worth; with `until`, as they stood
    then (the board's freeze), from the reviews themselves: what arrived, was judged or
    adjusted later is left out.

    Reads plain rows through Core (no ORM objects): the board asks for this on every change.
    """
    with cycle_collector_paused():
        if until is not None:
            return frozen(session, event, until)
        return live(session, event)


def live(session: Session, event: Event) -> list[scoring.Row]:
    dialect = session.get_bind().dialect.name
    rows = (
        session.connection()
        .execute(
            select(
                Submission.id,
                Submission.task_id,
                Submission.group_id,
                fast_time(Submission.received_at, dialect).label("received_at"),
                Submission.earned_cents.label("base"),
                Submission.late_cents.label("late"),
            ).where(Submission.event_id == event.id, Submission.earned_cents.is_not(None))
        )
        .all()
    )
    settings = event_settings(event)
    tasks = tasks_of(session, event)
    # Pick on the database's own values (its text orders as time does): only the times shown
    # on a line are turned into times.
    counted, first = scoring.pick(rows, settings.counts)
    return scoring.tally(
        groups_of(session, event),
        tasks,
        counted,
        first,
        hints_of(session, event),
        adjustments_of(session, event),
        settings,
        as_time=utc_from_raw,
    )


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """The standings build tens of thousands of small objects without a reference cycle among
    them; Python's cycle collector would scan the whole heap several times per computation
    for nothing (measured: two thirds of the time). Another thread may switch it on again
    meanwhile, which costs only time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def frozen(session: Session, event: Event, until: datetime) -> list[scoring.Row]:
    submissions = [
        frozen_view(sub, until)
        for sub in submissions_of(session, event)
        if sub.received_at <= until
    ]
    return scoring.standings(
        groups_of(session, event),
        tasks_of(session, event).values(),
        submissions,
        [hint for hint in hints_of(session, event) if hint.at <= until],
        adjustments_of(session, event, until),
        event_settings(event),
    )


def frozen_view(sub: scoring.ScoringSubmission, until: datetime) -> scoring.ScoringSubmission:
    """A submission as it stood at `until`: a judge's later decisions are not yet made."""
    kept = tuple(review for review in sub.reviews if review.at <= until)
    status = sub.status if kept or not sub.reviews else "pending"
    return sub._replace(reviews=kept, status=status)


def task_rules(
    ident: int, title: str, points: float, rubric: list, first_bonus: list, late: dict
) -> scoring.ScoringTask:
    maximum = sum(float(criterion.get("max", 0)) for criterion in rubric)
    return scoring.ScoringTask(ident, title, points, maximum, tuple(first_bonus), late)


def groups_of(session: Session, event: Event) -> list[tuple[int, str]]:
    return [
        tuple(row)
        for row in session.connection().execute(
            select(Group.id, Group.name)
            .where(Group.event_id == event.id)
            .order_by(Group.position, Group.id)
        )
    ]


def tasks_of(session: Session, event: Event) -> dict[int, scoring.ScoringTask]:
    rows = session.connection().execute(
        select(Task.id, Task.title, Task.points, Task.rubric, Task.first_bonus, Task.late).where(
            Task.event_id == event.id
        )
    )
    return {row[0]: task_rules(*row) for row in rows}


def submissions_of(
    session: Session,
    event: Event,
    task_ids: Collection[int] | None = None,
    *,
    counting_only: bool = True,
    group_ids: Collection[int] | None = None,
) -> list[scoring.ScoringSubmission]:
    """The submissions with their reviews, as the scoring module takes them; by default only
    those that can earn anything (accepted, or reviewed)."""
    run = session.connection().execute
    dialect = session.get_bind().dialect.name
    query = select(
        Submission.id,
        Submission.task_id,
        Submission.group_id,
        fast_time(Submission.received_at, dialect),
        Submission.status,
        Submission.late_minutes,
    ).where(Submission.event_id == event.id)
    review_query = (
        select(
            Review.submission_id,
            Review.judge_id,
            Review.decision,
            Review.points,
            Review.rubric,
            fast_time(Review.created_at, dialect),
            Review.id,
        )
        .join(Submission, Submission.id == Review.submission_id)
        .where(Submission.event_id == event.id)
    )
    if task_ids is not None:
        query = query.where(Submission.task_id.in_(task_ids))
        review_query = review_query.where(Submission.task_id.in_(task_ids))
    if group_ids is not None:
        query = query.where(Submission.group_id.in_(group_ids))
        review_query = review_query.where(Submission.group_id.in_(group_ids))
    reviews: dict[int, list[scoring.Review]] = {}
    for sub_id, judge, decision, points, rubric, at, review_id in run(review_query):
        reviews.setdefault(sub_id, []).append(
            scoring.Review(
                judge or 0, decision, utc_from_raw(at), points, rubric or None, review_id
            )
        )
    return [
        scoring.ScoringSubmission(
            ident,
            task_id,
            group_id,
            utc_from_raw(received),
            status,
            late,
            tuple(reviews.get(ident, ())),
        )
        for ident, task_id, group_id, received, status, late in run(query)
        if not counting_only or status == "accepted" or ident in reviews
    ]


def hints_of(session: Session, event: Event) -> list[scoring.HintCost]:
    dialect = session.get_bind().dialect.name
    return [
        scoring.HintCost(group, task, cost, utc_from_raw(at))
        for group, task, cost, at in session.connection().execute(
            select(
                HintUse.group_id,
                HintUse.task_id,
                HintUse.cost,
                fast_time(HintUse.created_at, dialect),
            ).where(HintUse.event_id == event.id)
        )
    ]


def adjustments_of(
    session: Session, event: Event, until: datetime | None = None
) -> list[scoring.Adjustment]:
    """The adjustments that count now, or (with `until`) those that counted then: made by
    then and not withdrawn by then."""
    dialect = session.get_bind().dialect.name
    query = select(
        Adjustment.group_id,
        Adjustment.points,
        Adjustment.reason,
        fast_time(Adjustment.created_at, dialect),
    ).where(Adjustment.event_id == event.id)
    if until is None:
        query = query.where(Adjustment.withdrawn_at.is_(None))
    else:
        query = query.where(
            Adjustment.created_at <= until,
            sa.or_(Adjustment.withdrawn_at.is_(None), Adjustment.withdrawn_at > until),
        )
    return [
        scoring.Adjustment(group, points, reason, utc_from_raw(at))
        for group, points, reason, at in session.connection().execute(query)
    ]


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
