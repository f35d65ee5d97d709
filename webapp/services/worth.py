"""What each submission is worth, kept on its row, and how late it is.

The live standings (services/standings.py) read each submission's points and late penalty,
in cents, instead of resolving every review on every change. They are written when a
submission arrives (`value_submission`), when a judge decides (`settle`), and when a task's
points, rubric or late policy or the event's rule for conflicting judges changes (`revalue`).
When a window, a group's start offset or extra time, or a task's late rules change,
`retime` measures every affected submission's lateness again against the window as it now
stands, from the time it was sent and received, and logs each one that changed; `recompute`
puts everything right after a hand edit of the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from webapp.domain import scoring, windows
from webapp.models import Event, Group, Review, Submission, Task
from webapp.services import audit
from webapp.services.standings import submissions_of, task_rules, tasks_of

DONE = ("accepted", "pending")  # a task the group has done, as its phone counts it


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
    return len(revalued(session, event, task_ids))


def revalued(
    session: Session,
    event: Event,
    task_ids: Collection[int] | None = None,
    group_ids: Collection[int] | None = None,
) -> set[int]:
    """`revalue` (of those tasks' or groups' submissions), returning the ids of the
    submissions that changed."""
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
    for sub in submissions_of(session, event, task_ids, counting_only=False, group_ids=group_ids):
        task = tasks[sub.task_id]
        worth = scoring.evaluate(task, sub, event.review_conflict)
        status = scoring.resolved_status(task, sub, event.review_conflict)
        base, late = (worth.base, worth.late) if worth else (None, 0)
        if stored.get(sub.id) != (status, base, late):
            changes.append({"ident": sub.id, "status": status, "base": base, "late": late})
    write(session, changes, status="status", earned_cents="base", late_cents="late")
    return {change["ident"] for change in changes}


def write(session: Session, changes: list[dict], **columns: str) -> None:
    """One UPDATE for many rows; loaded rows are told, so they do not keep the old values."""
    if not changes:
        return
    table = Submission.__table__
    session.connection().execute(
        sa.update(table)
        .where(table.c.id == sa.bindparam("ident"))
        .values({column: sa.bindparam(key) for column, key in columns.items()}),
        changes,
    )
    changed = {change["ident"] for change in changes}
    for loaded in list(session.identity_map.values()):
        if isinstance(loaded, Submission) and loaded.id in changed:
            session.expire(loaded, list(columns))


def retime(
    session: Session,
    event: Event,
    *,
    actor: Any,
    now: datetime,
    task_ids: Collection[int] | None = None,
    group_ids: Collection[int] | None = None,
) -> int:
    """Lateness and worth again for the event's submissions (of those tasks or groups), as if
    the windows, times and late rules as they now stand had been there from the start. Each
    submission whose lateness or worth moved gets an audit entry; returns how many."""
    session.flush()
    before = stored_worth(session, event)
    late_changes = [
        {"ident": ident, "minutes": timing.late_minutes, "flag": timing.flagged}
        for ident, timing in measured(session, event, task_ids, group_ids).items()
        if before[ident][:2] != (timing.late_minutes, timing.flagged)
    ]
    write(session, late_changes, late_minutes="minutes", late_flag="flag")
    moved = {change["ident"] for change in late_changes}
    moved |= revalued(session, event, task_ids, group_ids)
    if not moved:
        return 0
    after = stored_worth(session, event)
    session.add_all(
        audit.entry_for(
            session,
            event_id=event.id,
            actor=actor,
            action="submission.rescore",
            subject=f"submission {ident}",
            before={"late_minutes": before[ident][0], "worth": before[ident][2]},
            after={"late_minutes": after[ident][0], "worth": after[ident][2]},
            now=now,
            group_id=before[ident][3],
            task_id=before[ident][4],
        )
        for ident in sorted(moved)
    )
    audit.bump_revision(session, event.id)
    session.flush()
    return len(moved)


def stored_worth(session: Session, event: Event) -> dict[int, tuple]:
    """Per submission: its late minutes, flag, what it adds now (points or None), its group
    and task."""
    rows = session.connection().execute(
        select(
            Submission.id,
            Submission.late_minutes,
            Submission.late_flag,
            Submission.earned_cents,
            Submission.late_cents,
            Submission.group_id,
            Submission.task_id,
        ).where(Submission.event_id == event.id)
    )
    return {
        ident: (late, flag, None if base is None else (base - (cut or 0)) / 100, group, task)
        for ident, late, flag, base, cut, group, task in rows
    }


def measured(
    session: Session,
    event: Event,
    task_ids: Collection[int] | None,
    group_ids: Collection[int] | None,
) -> dict[int, windows.Timing]:
    """Each submission's lateness against its group's window as the phone shows it now: a
    window that counts from another task counts from when the group last sent that task
    (still waiting or approved). One whose window has not opened for the group (or waits for
    another task) was sent while the task was open for it: it is on time."""
    tasks = {t.id: t for t in session.exec(select(Task).where(Task.event_id == event.id))}
    groups = {g.id: g for g in session.exec(select(Group).where(Group.event_id == event.id))}
    rows = (
        session.connection()
        .execute(
            select(
                Submission.id,
                Submission.task_id,
                Submission.group_id,
                Submission.status,
                Submission.received_at,
                Submission.pressed_at,
            )
            .where(Submission.event_id == event.id)
            .order_by(Submission.received_at, Submission.id)
        )
        .all()
    )
    latest = {(row.group_id, row.task_id): row for row in rows}
    done_at: dict[int, dict[str, datetime]] = defaultdict(dict)
    for (group_id, task_id), row in latest.items():
        if row.status in DONE:
            done_at[group_id][tasks[task_id].key] = row.received_at
    found = {}
    for row in rows:
        if (task_ids is not None and row.task_id not in task_ids) or (
            group_ids is not None and row.group_id not in group_ids
        ):
            continue
        task, group = tasks[row.task_id], groups[row.group_id]
        window = windows.task_window(
            task.window,
            event_start=event.starts_at,
            event_end=event.ends_at,
            tz=event.timezone,
            start_offset_min=group.start_offset_min,
            extra_min=group.extra_min,
            done_at=done_at[row.group_id],
        )
        found[row.id] = (
            windows.lateness(
                window,
                late=task.late,
                queued_policy=event.queued_late_policy,
                pressed_at=row.pressed_at,
                received_at=row.received_at,
            )
            if window is not None
            else windows.Timing()
        )
    return found


def recompute(session: Session, event: Event, now: datetime) -> int:
    """Every lateness, stored worth and status from the windows and reviews again, logged when
    anything moved (after someone edited the database by hand, say). Returns how many
    submissions changed."""
    changed = retime(session, event, actor=None, now=now)
    if changed:
        audit.record(
            session,
            event_id=event.id,
            actor=None,
            action="scores.recompute",
            after={"changed": changed},
            now=now,
            moves_standings=False,  # retime has moved the revision once already
        )
    return changed


def scoring_task(task: Task) -> scoring.ScoringTask:
    return task_rules(task.id, task.title, task.points, task.rubric, task.first_bonus, task.late)
