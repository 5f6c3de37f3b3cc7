"""Fixtures for the scale tests: a fresh PostgreSQL database per module, an isolated Redis namespace.

The tests start real worker processes (``python -m tests.scale.fake_pipeline …``); every process they start is
killed in teardown, with its whole process group, whether the test passed or not.
"""

from __future__ import annotations

import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.databases import temporary_database
from tests.scale.harness import REPO, WorkerFleet
from voc.db.engine import make_engine
from voc.db.migrate import upgrade

BACKENDS = [
    b.strip() for b in os.environ.get("VOC_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()
]
# Spawned worker processes run the fake pipeline from tests/ (never installed): they inherit sys.path,
# which under --import-mode=importlib lacks the repository root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
REDIS_URL = os.environ.get("VOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
AMQP_URL = os.environ.get("VOC_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def pytest_configure(config: pytest.Config) -> None:
    # Until pyproject.toml registers it (--strict-markers).
    config.addinivalue_line("markers", "scale: real worker processes, brokers and SIGKILL (tens of seconds)")


def reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), 2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def scale_pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this module, dropped at the end."""
    if "postgresql" not in BACKENDS:
        pytest.skip("VOC_TEST_BACKENDS excludes postgresql")
    with temporary_database("voc_scale") as url:
        yield url


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "TRUNCATE calls, call_status_events, segments, worker_heartbeats, worker_supervisors, "
                "webhook_subscriptions, webhook_deliveries RESTART IDENTITY CASCADE"
            )
        )


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param not in BACKENDS:
        pytest.skip(f"VOC_TEST_BACKENDS excludes {request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'voc.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    pg: str = request.getfixturevalue("scale_pg_url")
    return pg


@pytest.fixture
def pg_url(scale_pg_url: str) -> str:
    return scale_pg_url


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    if engine.dialect.name == "postgresql":
        _empty(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    _empty(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def redis_url() -> str:
    if not reachable(REDIS_URL, 6379):
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def amqp_url() -> str:
    if not reachable(AMQP_URL, 5672):
        pytest.skip(f"no RabbitMQ at {AMQP_URL}")
    return AMQP_URL


@pytest.fixture
def namespace(redis_url: str) -> Iterator[str]:
    """A queue name and Redis key prefix of this test alone; its keys are deleted afterwards."""
    import redis

    name = f"voc-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{name}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def fleets(tmp_path: Path) -> Iterator[list[WorkerFleet]]:
    """Fleets a test starts; all their processes are SIGKILLed (groups included) at teardown."""
    started: list[WorkerFleet] = []
    yield started
    for fleet in started:
        fleet.close()
