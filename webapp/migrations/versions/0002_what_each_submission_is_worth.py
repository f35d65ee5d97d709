"""what each submission is worth

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 18:18:23.810431

The live standings read each submission's worth from its row instead of every review; rows
that exist already get theirs here, by the same pure rules the services use.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from webapp.domain import scoring

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

event = sa.table("event", sa.column("id"), sa.column("review_conflict"))
task = sa.table(
    "task",
    sa.column("id"),
    sa.column("event_id"),
    sa.column("points"),
    sa.column("rubric", sa.JSON),
    sa.column("late", sa.JSON),
)
submission = sa.table(
    "submission",
    sa.column("id"),
    sa.column("event_id"),
    sa.column("task_id"),
    sa.column("group_id"),
    sa.column("received_at"),
    sa.column("status"),
    sa.column("late_minutes"),
    sa.column("earned_cents"),
    sa.column("late_cents"),
)
review = sa.table(
    "review",
    sa.column("submission_id"),
    sa.column("judge_id"),
    sa.column("decision"),
    sa.column("points"),
    sa.column("rubric", sa.JSON),
    sa.column("created_at"),
)


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("earned_cents", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("late_cents", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.alter_column("late_cents", server_default=None)
    fill()


def fill() -> None:
    run = op.get_bind().execute
    conflict = dict(run(sa.select(event.c.id, event.c.review_conflict)).all())
    tasks = {
        ident: (event_id, scoring.ScoringTask(ident, "", points, rubric_max(rubric), (), late))
        for ident, event_id, points, rubric, late in run(
            sa.select(task.c.id, task.c.event_id, task.c.points, task.c.rubric, task.c.late)
        )
    }
    reviews: dict[int, list[scoring.Review]] = {}
    for sub_id, judge, decision, points, rubric, at in run(sa.select(review)):
        reviews.setdefault(sub_id, []).append(
            scoring.Review(judge or 0, decision, at, points, rubric or None)
        )
    changes = []
    for ident, task_id, group_id, received, status, late in run(
        sa.select(
            submission.c.id,
            submission.c.task_id,
            submission.c.group_id,
            submission.c.received_at,
            submission.c.status,
            submission.c.late_minutes,
        )
    ):
        event_id, rules = tasks[task_id]
        sent = scoring.ScoringSubmission(
            ident, task_id, group_id, received, status, late, tuple(reviews.get(ident, ()))
        )
        worth = scoring.evaluate(rules, sent, conflict[event_id])
        if worth is not None:
            changes.append({"ident": ident, "base": worth.base, "late": worth.late})
    if changes:
        run(
            submission.update()
            .where(submission.c.id == sa.bindparam("ident"))
            .values(earned_cents=sa.bindparam("base"), late_cents=sa.bindparam("late")),
            changes,
        )


def rubric_max(rubric: list) -> float:
    return sum(float(criterion.get("max", 0)) for criterion in rubric or [])


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("late_cents")
        batch_op.drop_column("earned_cents")
