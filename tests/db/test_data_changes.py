"""The data version (``voc.db.changes``): the migration's triggers move it with every committed write to a
tracked table, by any path (ORM, Core, raw SQL), and with nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.conftest import BACKENDS
from tests.databases import temporary_database
from voc.customers.records import upsert_customer
from voc.db.changes import TRACKED, compact, data_version, missing_triggers
from voc.db.customers import Customer, CustomerCreate, CustomerStatus
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.security.keys import create_key


def _token(engine: Engine) -> str:
    with engine.connect() as conn:
        version = data_version(conn)
    assert version is not None
    return version.token


def test_every_tracked_table_has_its_triggers_at_head(engine: Engine) -> None:
    with engine.connect() as conn:
        assert missing_triggers(conn) == []
    assert {"calls", "customers", "customer_risk"} <= set(TRACKED)


def test_insert_update_and_delete_each_change_the_token(engine: Engine) -> None:
    seen = [_token(engine)]
    with Session(engine) as session:
        upsert_customer(session, CustomerCreate(customer_id="C1", name="山田商店"))
        session.commit()
    seen.append(_token(engine))
    with engine.begin() as conn:  # raw SQL, as a script or a psql session would write
        conn.execute(sa.text("UPDATE customers SET name = 'やまだ' WHERE customer_id = 'C1'"))
    seen.append(_token(engine))
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM customer_phones"))
        conn.execute(sa.text("DELETE FROM customers WHERE customer_id = 'C1'"))
    seen.append(_token(engine))
    assert len(set(seen)) == 4


def test_a_rolled_back_write_and_other_tables_leave_the_token(engine: Engine) -> None:
    before = _token(engine)
    with Session(engine) as session:
        upsert_customer(session, CustomerCreate(customer_id="C2", name="佐藤"))
        session.flush()
        session.rollback()
    with Session(engine) as session:
        create_key(session, "analyst", "not-a-list")  # api_keys: no list reads it
        session.commit()
    assert _token(engine) == before


def test_a_write_after_a_rolled_back_savepoint_still_changes_the_token(engine: Engine) -> None:
    """PostgreSQL counts a transaction once: the mark goes with a savepoint rolled back, so the write
    after it counts."""
    before = _token(engine)
    with engine.connect() as conn:
        savepoint = conn.begin_nested()
        conn.execute(sa.insert(Customer), [_customer("S1")])
        savepoint.rollback()
        assert _token(engine) == before
        conn.execute(sa.insert(Customer), [_customer("S2")])
        conn.execute(sa.insert(Customer), [_customer("S3")])
        conn.commit()
    assert _token(engine) != before


def test_a_new_database_never_repeats_a_token(tmp_path: Path) -> None:
    tokens = set()
    for name in ("a", "b"):
        engine = make_engine(f"sqlite:///{tmp_path}/{name}.db")
        upgrade(engine)
        tokens.add(_token(engine))
        engine.dispose()
    assert len(tokens) == 2


def _customer(customer_id: str) -> dict[str, object]:
    return Customer(customer_id=customer_id, status=CustomerStatus.ACTIVE).model_dump(exclude={"id"})


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="VOC_TEST_BACKENDS leaves PostgreSQL out")
def test_postgres_writers_do_not_wait_for_each_other_and_compaction_keeps_the_token() -> None:
    with temporary_database("voc_changes") as url:
        engine = make_engine(url)
        try:
            with engine.connect() as first, engine.connect() as second:
                first.execute(sa.insert(Customer), [_customer("A")])  # its transaction stays open
                # The second writer must not queue behind the first one's counter.
                second.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
                second.execute(sa.insert(Customer), [_customer("B")])
                second.commit()
                after_second = _token(engine)
                first.commit()
            after_both = _token(engine)
            assert after_second != after_both
            engine.dispose()  # their backends end: compaction folds their rows in, the sum kept
            deadline = time.monotonic() + 10
            while _rows(engine) > 1 and time.monotonic() < deadline:
                compact(engine)
                time.sleep(0.1)
            assert _rows(engine) == 1
            assert _token(engine) == after_both
        finally:
            engine.dispose()


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        version = data_version(conn)
    assert version is not None
    return version.rows
