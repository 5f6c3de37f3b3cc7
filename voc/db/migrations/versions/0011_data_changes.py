"""data_changes: the data version that every write to the tables the API's lists read changes, by trigger

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:30:00

``voc.db.changes`` reads it: serving processes keep the first pages of their lists by it, and clients
revalidate with it (ETag). SQLite: a row trigger per table and event adds one to the one counter.
PostgreSQL: a statement trigger per table adds one to the counter of the writing backend (its pid), once
per transaction, so that concurrent writers never lock the same row; TRUNCATE counts too.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As at this revision (a later page that reads another table adds its triggers in its own migration).
TABLES = (
    "calls",
    "call_signals",
    "topic_assignments",
    "topics",
    "customers",
    "customer_phones",
    "customer_risk",
    "customer_follow_ups",
)

# Once per transaction (a transaction-local setting marks it; a savepoint rolled back unmarks it with its
# write): a bulk write of many statements (a CRM refresh: thousands) counts once, which is all a reader
# needs, instead of updating the counter row once for each statement.
PG_FUNCTION = """
CREATE FUNCTION voc_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('voc.data_changed', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('voc.data_changed', 'yes', true);
        INSERT INTO data_changes (slot, n) VALUES (pg_backend_pid(), 1)
        ON CONFLICT (slot) DO UPDATE SET n = data_changes.n + 1;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    table = op.create_table(
        "data_changes",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("slot"),
    )
    op.bulk_insert(table, [{"slot": 0, "n": 0, "epoch": uuid.uuid4().hex}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for name in TABLES:
            op.execute(
                f"CREATE TRIGGER voc_changed_{name} AFTER INSERT OR UPDATE OR DELETE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION voc_data_changed()"
            )
            op.execute(
                f"CREATE TRIGGER voc_changed_{name}_truncate AFTER TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION voc_data_changed()"
            )
        return
    for name in TABLES:
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER voc_changed_{name}_{event} AFTER {event.upper()} ON {name} FOR EACH ROW "
                "BEGIN UPDATE data_changes SET n = n + 1 WHERE slot = 0; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS voc_changed_{name} ON {name}")
            op.execute(f"DROP TRIGGER IF EXISTS voc_changed_{name}_truncate ON {name}")
        op.execute("DROP FUNCTION IF EXISTS voc_data_changed()")
    else:
        for name in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS voc_changed_{name}_{event}")
    op.drop_table("data_changes")
