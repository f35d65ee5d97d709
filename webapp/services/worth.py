"""What each submission is worth, kept on its row.

The live standings (services/standings.py) read each submission's points and late penalty,
in cents, instead of resolving every review on every change. They are written when a
submission arrives (`value_submission`), when a judge decides (`settle`), and when a task's
points, rubric or late policy or the event's rule for conflicting judges changes (`revalue`);
`recompute` puts everything right after a hand edit of the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain import scoring
from webapp.models import Event, Review, Submission, Task
from webapp.services import audit
from webapp.services.standings import submissions_of, task_rules, tasks_of


def value_submission(sub: Submission, task: Task, reviews: Sequence[Review], conflict: str) -> None:
    """Stores on the row what the submission is worth; for a submission as it arrives."""
    worth = scoring.evaluate(scoring_task(task), as_scoring(sub, reviews), conflict)
    sub.earned_cents, sub.late_cents = (worth.base, worth.late) if worth else (None, 0)


def settle(sub: Submission, task: Task, reviews: Sequence[Review], conflict: str) -> None:
    """A decided submission's status and worth under the event's rule for judges."""
    sub.status = scoring.resolved_status(scoring_task(task), as_scoring(sub, reviews), conflict)
    value_submission(sub, task, reviews, conflict)


def net_points(sub: Submission) -> float | None:
    """What the submission adds to its group's total now, in points; None if nothing."""
    if sub.earned_cents is None:
        return None
    return (sub.earned_cents - (sub.late_cents or 0)) / 100


def as_scoring(sub: Submission, reviews: Sequence[Review]) -> scoring.ScoringSubmission:
    return scoring.ScoringSubmission(
        sub.id or 0,
        sub.task_id,
        sub.group_id,
        sub.received_at,
        sub.status,
        sub.late_minutes,
        tuple(
            scoring.Review(
                r.judge_id or 0, r.decision, r.created_at, r.points, r.rubric or None, r.id or 0
            )
            for r in reviews
        ),
    )


def revalue(session: Session, event: Event, task_ids: Collection[int] | None = None) -> int:
    """Every submission's status and stored worth again, after a task's points, rubric or late
    policy, or the event's rule for conflicting judges, changed. Returns how many rows
    changed."""
    session.flush()
    tasks = tasks_of(session, event)
    stored = {
        ident: (status, base, late)
        for ident, status, base, late in session.connection().execute(
            select(
                Submission.id, Submission.status, Submission.earned_cents, Submission.late_cents
            ).where(Submission.event_id == event.id)
        )
    }
    changes = []
    for sub in submissions_of(session, event, task_ids, counting_only=False):
        task = tasks[sub.task_id]
        worth = scoring.evaluate(task, sub, event.review_conflict)
        status = scoring.resolved_status(task, sub, event.review_conflict)
        base, late = (worth.base, worth.late) if worth else (None, 0)
        if stored.get(sub.id) != (status, base, late):
            changes.append({"ident": sub.id, "status": status, "base": base, "late": late})
    if changes:
        session.connection().execute(
            sa.update(Submission.__table__)
            .where(Submission.__table__.c.id == sa.bindparam("ident"))
            .values(
                status=sa.bindparam("status"),
                earned_cents=sa.bindparam("base"),
                late_cents=sa.bindparam("late"),
            ),
            changes,
        )
        changed = {change["ident"] for change in changes}
        for loaded in list(session.identity_map.values()):  # must not keep the old values
            if isinstance(loaded, Submission) and loaded.id in changed:
                session.expire(loaded, ["status", "earned_cents", "late_cents"])
    return len(changes)


def recompute(session: Session, event: Event, now: datetime) -> int:
    """Every stored worth and status from the reviews again, logged when anything moved (after
    someone edited the database by hand, say). Returns how many submissions changed."""
    changed = revalue(session, event)
    if changed:
        audit.record(
            session,
            event_id=event.id,
            actor=None,
            action="scores.recompute",
            after={"changed": changed},
            now=now,
        )
    return changed


def scoring_task(task: Task) -> scoring.ScoringTask:
    return task_rules(task.id, task.title, task.points, task.rubric, task.first_bonus, task.late)
