"""The data version: a token that every committed write to the tables the API's lists read changes.

A serving process keeps the first pages of its lists (``api.cache``) by this token, and an HTTP client
revalidates with it (ETag). The token moves by database triggers (migration 0011), not by the write
paths: a new write path cannot forget it, nor can a script or a psql session.

- ``data_changes`` holds counters. On SQLite one row counts every written row (SQLite has one writer at a
  time anyway). On PostgreSQL each server backend counts its own writing transactions (once each, however
  many statements) in a row of its own (its pid): a transaction only ever locks its own row, so writers
  never wait for each other on it and no lock order between them can deadlock; the row is locked until
  the writer commits, and a reader sees the new count exactly when it sees the rows written.
- The token is the database's random epoch (written once by the migration: a database dropped and made
  again never comes back to a token a process has seen) and the sum of the counters. The sum only grows,
  and it grows with each committed write, so an unchanged token means nothing tracked was committed.
- The rows of backends that have gone are folded into the epoch row from time to time (``compact``): the
  sum does not change, the table stays small.

``TRACKED`` is every table the cached pages read. A page that reads another table needs that table's
triggers (a migration), and SQLite drops a table's triggers when a migration copies the table (Alembic's
batch mode): ``missing_triggers`` says which are missing (tests check it at head on both backends).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

#: The tables the cached list pages read (calls list and its filters, customer list, at-risk list).
TRACKED: tuple[str, ...] = (
    "calls",
    "call_signals",
    "topic_assignments",
    "topics",
    "customers",
    "customer_phones",
    "customer_risk",
    "customer_follow_ups",
)

#: The row events each tracked table has a trigger for on SQLite (``voc_changed_<table>_<event>``).
SQLITE_EVENTS = ("insert", "update", "delete")

#: Not part of the models' metadata: only the migration creates it, and a test's truncation of the
#: models' tables leaves it (and its epoch) in place.
DATA_CHANGES = sa.Table(
    "data_changes",
    sa.MetaData(),
    sa.Column("slot", sa.Integer, primary_key=True),  # 0: the epoch row; PostgreSQL: a backend's pid
    sa.Column("n", sa.BigInteger, nullable=False),
    sa.Column("epoch", sa.String(32)),
)

#: More rows than this (PostgreSQL: backends that wrote, most of them gone): ``compact``.
COMPACT_ABOVE = 256

_c = DATA_CHANGES.c
VERSION = sa.select(
    sa.select(_c.epoch).where(_c.slot == 0).scalar_subquery(),
    sa.select(sa.func.sum(_c.n)).scalar_subquery(),
    sa.select(sa.func.count()).select_from(DATA_CHANGES).scalar_subquery(),
)

# PostgreSQL: fold the rows of backends that are gone into the epoch row, in one statement (the sum is
# unchanged when it commits). One at a time (an advisory lock), so two never lock the same rows in turn.
_COMPACT = sa.text(
    """
    WITH gone AS (
        DELETE FROM data_changes
        WHERE slot <> 0 AND slot NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
        RETURNING n
    )
    UPDATE data_changes SET n = n + (SELECT coalesce(sum(n), 0) FROM gone) WHERE slot = 0
    """
)
_COMPACT_LOCK = 0x766F_6364  # "vocd"


@dataclass(frozen=True, slots=True)
class DataVersion:
    token: str
    rows: int

    @property
    def needs_compacting(self) -> bool:
        return self.rows > COMPACT_ABOVE


def data_version(connection: Connection) -> DataVersion | None:
    """The current token (``None``: a database without the table's epoch row, nothing to key on)."""
    epoch, total, rows = connection.execute(VERSION).one()
    if epoch is None:
        return None
    return DataVersion(f"{epoch}.{int(total or 0)}", int(rows))


def compact(engine: Engine) -> bool:
    """Fold the counters of PostgreSQL backends that have gone into one row (the token is unchanged).
    Returns whether it ran (not on SQLite; not while another process compacts)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.begin() as conn:
        locked = conn.execute(sa.select(sa.func.pg_try_advisory_xact_lock(_COMPACT_LOCK))).scalar_one()
        if not locked:
            return False
        conn.execute(_COMPACT)
    log.info("data_changes compacted")
    return True


def missing_triggers(connection: Connection) -> list[str]:
    """The tracked tables without their triggers (should be none)."""
    if connection.dialect.name == "postgresql":
        # Per table, the events its voc_changed_ triggers fire on (tgtype bits: 4 insert, 8 delete,
        # 16 update, 32 truncate); TRUNCATE triggers are not in information_schema.triggers.
        events: dict[str, int] = dict(
            connection.execute(
                sa.text(
                    "SELECT c.relname, bit_or(t.tgtype::int) & 60 FROM pg_trigger t "
                    "JOIN pg_class c ON c.oid = t.tgrelid "
                    "WHERE t.tgname LIKE 'voc_changed_%' AND c.relnamespace = current_schema()::regnamespace "
                    "GROUP BY c.relname"
                )
            ).all()
        )
        return [t for t in TRACKED if events.get(t) != 60]
    names = set(
        connection.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'voc_changed_%'")
        ).scalars()
    )
    return [t for t in TRACKED if any(f"voc_changed_{t}_{e}" not in names for e in SQLITE_EVENTS)]
