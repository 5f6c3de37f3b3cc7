"""customer follow-ups: contacted / done, by whom and when

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import voc.db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_follow_ups",
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("by_key_id", sa.Integer(), nullable=True),
        sa.Column("by_name", sa.String(length=128), nullable=False),
        sa.Column("at", voc.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_pk"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_pk"),
    )


def downgrade() -> None:
    op.drop_table("customer_follow_ups")
