"""fair scoring: who may create events, optional rubrics, withdrawn adjustments, log filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00

Accounts that already organise an event keep the right to create events; judges do not get
it. The log's existing entries learn their group and task from their subject, so that the
organisers' log page can filter them too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import webapp.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

user_account = sa.table("user_account", sa.column("id"), sa.column("can_create_events"))
event_staff = sa.table("event_staff", sa.column("user_id"), sa.column("role"))
submission = sa.table("submission", sa.column("id"), sa.column("group_id"), sa.column("task_id"))
audit_entry = sa.table(
    "audit_entry",
    sa.column("id"),
    sa.column("subject"),
    sa.column("group_id"),
    sa.column("task_id"),
)


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("can_create_events", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("rubric_optional", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("adjustment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("withdrawn_at", webapp.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("withdrawn_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.create_foreign_key(
            "fk_adjustment_withdrawn_by_id_user_account",
            "user_account",
            ["withdrawn_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_adjustment_withdrawn_by_id"), ["withdrawn_by_id"], unique=False
        )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("task_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_entry_group_id"), ["group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_entry_task_id"), ["task_id"], unique=False)
    for table, column in (
        ("user_account", "can_create_events"),
        ("task", "rubric_optional"),
        ("adjustment", "withdrawn_reason"),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(column, server_default=None)
    fill()


def fill() -> None:
    run = op.get_bind().execute
    organisers = sa.select(event_staff.c.user_id).where(event_staff.c.role == "organiser")
    run(
        user_account.update()
        .where(user_account.c.id.in_(organisers))
        .values(can_create_events=True)
    )
    submissions = {
        ident: (group, task)
        for ident, group, task in run(
            sa.select(submission.c.id, submission.c.group_id, submission.c.task_id)
        )
    }
    changes = []
    for ident, subject in run(sa.select(audit_entry.c.id, audit_entry.c.subject)):
        kind, _, number = (subject or "").partition(" ")
        if not number.isdigit():
            continue
        group, task = {
            "submission": submissions.get(int(number), (None, None)),
            "group": (int(number), None),
            "task": (None, int(number)),
        }.get(kind, (None, None))
        if group is not None or task is not None:
            changes.append({"ident": ident, "group": group, "task": task})
    if changes:
        run(
            audit_entry.update()
            .where(audit_entry.c.id == sa.bindparam("ident"))
            .values(group_id=sa.bindparam("group"), task_id=sa.bindparam("task")),
            changes,
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_task_id"))
        batch_op.drop_index(batch_op.f("ix_audit_entry_group_id"))
        batch_op.drop_column("task_id")
        batch_op.drop_column("group_id")
    with op.batch_alter_table("adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustment_withdrawn_by_id"))
        batch_op.drop_constraint("fk_adjustment_withdrawn_by_id_user_account", type_="foreignkey")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_at")
    with op.batch_alter_table("task", schema=None) as batch_op:
        batch_op.drop_column("rubric_optional")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("can_create_events")
