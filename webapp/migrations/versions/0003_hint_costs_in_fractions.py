"""hint costs in fractions of a point

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 08:30:00

Task sets and the editor accept a hint costing 1.5 points; the column kept whole numbers, so
such a hint cost 1 (SQLite kept the fraction by its loose typing, PostgreSQL did not).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("hint_use", schema=None) as batch_op:
        batch_op.alter_column("cost", existing_type=sa.Integer(), type_=sa.Float())


def downgrade() -> None:
    with op.batch_alter_table("hint_use", schema=None) as batch_op:
        batch_op.alter_column("cost", existing_type=sa.Float(), type_=sa.Integer())
