"""customer_base: the token every write to customers replaces; an index for the oldest risk row

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 22:20:00

One customer's rescoring reads the population (usage ranks, the median value) from a process-level
cache keyed by this token instead of every customer (``voc.signals.flags.population``). The daily
rescoring asks for the oldest ``customer_risk.computed_at``: an index answers that without a scan.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import voc.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "customer_base",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("changed_at", voc.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex, "changed_at": datetime.now(UTC)}])
    op.create_index("ix_customer_risk_computed_at", "customer_risk", ["computed_at"])


def downgrade() -> None:
    op.drop_index("ix_customer_risk_computed_at", table_name="customer_risk")
    op.drop_table("customer_base")
