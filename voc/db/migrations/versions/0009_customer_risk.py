"""customer_risk: each customer's risk and health as last computed (indexed rank); calls list order index

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:30:00

The rows are filled by ``voc.signals.risk.backfill`` after the migrations run (``voc db upgrade``,
``voc serve``): scoring needs the signal parameters from the settings, which a migration does not read.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import voc.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_risk",
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column(
            "customer_id",
            sa.String(length=128).with_variant(sa.String(length=128, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("health_score", sa.Integer(), nullable=False),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("computed_at", voc.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["customer_pk"], ["customers.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("customer_pk"),
    )
    op.create_index(
        "ix_customer_risk_listed_rank",
        "customer_risk",
        ["listed", sa.text("risk_score DESC"), "customer_id"],
    )
    op.create_index("ix_customer_risk_rank", "customer_risk", [sa.text("risk_score DESC"), "customer_id"])
    op.create_index("ix_customer_risk_health", "customer_risk", ["health_score", "customer_id"])
    # The calls list's default order (newest first by call time, else upload time; ties by id).
    op.create_index(
        "ix_calls_when_id",
        "calls",
        [sa.text("coalesce(started_at, created_at) DESC"), sa.text("id DESC")],
    )


def downgrade() -> None:
    op.drop_index("ix_calls_when_id", table_name="calls")
    op.drop_table("customer_risk")
