"""at most one active topic model version

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 23:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Two processes fitting the first model at once (PostgreSQL) must not both make theirs active.
INDEX = "uq_topic_model_versions_one_active"


def upgrade() -> None:
    op.create_index(
        INDEX,
        "topic_model_versions",
        ["active"],
        unique=True,
        sqlite_where=sa.text("active"),
        postgresql_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="topic_model_versions")
