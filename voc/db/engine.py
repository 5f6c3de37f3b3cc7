"""Database engines: SQLite in WAL mode by default, PostgreSQL by URL."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker writes; the busy timeout makes writers queue instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _json_dumps(value: Any) -> str:
    # Japanese stays readable in JSON columns (and a token can be found by a plain text search).
    return json.dumps(value, ensure_ascii=False)


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite files get their parent directory and pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json_dumps
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, json_serializer=_json_dumps)


def reads_engine(engine: Engine) -> Engine:
    """The engine of the API's reads (``Runtime.read_engine``): on PostgreSQL the same pool in
    autocommit (a read that must write opens a transaction of its own: ``voc.customers.listing``). A
    read then costs its statements and nothing else: no BEGIN and no ROLLBACK round trip, and psycopg
    keeps its prepared statements (it forgets them all on every ROLLBACK, so reads that ended in one
    were parsed and planned by the server every time). Read committed, the default, gives each
    statement a snapshot of its own inside a transaction too, so a read sees the same either way.
    SQLite: the engine itself (its BEGIN costs no round trip)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def autocommits(connection: Connection) -> bool:
    """Whether ``connection`` runs each statement in a transaction of its own (``reads_engine``)."""
    return connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def sqlite_pragmas(engine: Engine) -> dict[str, Any]:
    """The pragmas in force on a fresh connection, to verify that they took effect."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        result = {
            name: cur.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "busy_timeout", "foreign_keys")
        }
        cur.close()
        return result


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A short unit of work: commit on success, roll back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
