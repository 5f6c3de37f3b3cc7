"""The database: migrations, SQLite pragmas, timezone-aware times on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.db.calls import Call
from voc.db.engine import make_engine, sqlite_pragmas
from voc.db.migrate import current_revision, head_revision, upgrade


def test_migrations_create_every_table_and_reach_head(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"customers", "customer_phones", "calls", "call_status_events", "segments"} <= tables
    assert current_revision(engine) == head_revision()


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: pytest.TempPathFactory) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nested/dir/voc.db")
    upgrade(engine)
    pragmas = sqlite_pragmas(engine)
    assert pragmas["journal_mode"] == "wal"
    assert pragmas["busy_timeout"] >= 5000
    assert pragmas["foreign_keys"] == 1


def test_times_come_back_aware_and_equal(engine: Engine) -> None:
    jst = timezone(timedelta(hours=9))
    started = datetime(2026, 11, 2, 9, 30, tzinfo=jst)
    with Session(engine) as session:
        call = Call(audio_sha256="a" * 64, started_at=started)
        session.add(call)
        session.commit()
        call_id = call.id
    with Session(engine) as session:
        loaded = session.get(Call, call_id)
        assert loaded is not None and loaded.started_at is not None
        assert loaded.started_at == started
        assert loaded.started_at.tzinfo is not None
        assert loaded.started_at.astimezone(UTC).hour == 0


def test_naive_times_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Call(audio_sha256="b" * 64, started_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            session.commit()
