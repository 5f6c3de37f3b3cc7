"""The embedded default under fire: a supervisor keeps its worker processes alive while they are SIGKILLed.

The processes are the real worker loop (claims, leases, background duties delivering webhooks) around the
fake processor, supervised exactly as ``voc serve`` and ``voc worker`` supervise theirs, on SQLite and
PostgreSQL. Whatever dies, every call ends done (or dead-lettered with its reason), once; dead workers are
replaced within seconds and their calls taken over at once, not a lease period later.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.scale.fake_pipeline import FakeWorkerSpec, run_supervised_worker
from tests.scale.harness import (
    assert_no_overlap,
    assert_nothing_lost_or_doubled,
    queue_calls,
    read_runs,
    unsettled,
)
from voc.db.calls import Call, CallStatusEvent
from voc.db.types import utcnow
from voc.db.webhooks import WebhookDelivery
from voc.pipeline.liveness import queue_health
from voc.pipeline.supervisor import Supervisor, SupervisorPolicy
from voc.webhooks.subscriptions import create_subscription

pytestmark = pytest.mark.scale

SEGMENTS = 4
MAX_ATTEMPTS = 4


@dataclass
class Receiver:
    """A webhook receiver counting what it was sent, by event id."""

    url: str
    received: Counter[str] = field(default_factory=Counter)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with lock:
                got[body["event_id"]] += 1
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver(f"http://127.0.0.1:{server.server_address[1]}/hook", got)
    server.shutdown()
    server.server_close()


@pytest.fixture
def supervisors() -> Iterator[list[Supervisor]]:
    """Supervisors a test starts; stopped (their processes with them) whatever the outcome."""
    started: list[Supervisor] = []
    yield started
    for sup in started:
        sup.stop()


def _supervise(
    db_url: str, db: Engine, started: list[Supervisor], spec: FakeWorkerSpec, **policy: float | int | None
) -> Supervisor:
    defaults: dict[str, float | int | None] = {
        "processes": 3,
        "max_attempts": spec.max_attempts,
        "restart_backoff_s": 0.2,
        "restart_backoff_max_s": 2.0,
        "heartbeat_s": 0.5,
        "stop_timeout_s": 5.0,
    }
    sup = Supervisor(
        db,
        functools.partial(run_supervised_worker, spec),
        SupervisorPolicy(**(defaults | policy)),  # type: ignore[arg-type]
    )
    started.append(sup)
    return sup.start()


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str, sup: Supervisor | None = None) -> float:
    """Seconds until ``predicate()`` holds (fails after ``timeout_s``)."""
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout_s:
            exits = [(e.reason, e.call_id) for e in sup.exits] if sup else []
            raise AssertionError(f"{what} not within {timeout_s} s; exits: {exits}")
        time.sleep(0.02)
    return time.monotonic() - start


def test_supervised_workers_lose_nothing_and_come_back_under_sigkill(
    db: Engine, db_url: str, tmp_path: Path, supervisors: list[Supervisor], receiver: Receiver
) -> None:
    with Session(db) as session:
        create_subscription(session, receiver.url, ["call.analyzed"])
        session.commit()
    ids = queue_calls(db, [f"poison-{i}.wav" for i in range(2)] + [f"call-{i:03d}.wav" for i in range(28)])
    intervals = tmp_path / "runs.jsonl"
    spec = FakeWorkerSpec(
        db_url, work_s=0.6, segments=SEGMENTS, intervals=intervals, lease_s=60.0, max_attempts=MAX_ATTEMPTS,
        webhooks=True,
    )  # fmt: skip
    sup = _supervise(db_url, db, supervisors, spec)
    _wait(lambda: sup.ready_count() == 3, 60, "three workers up", sup)

    rng = random.Random(16)
    killed_at: dict[int, float] = {}
    recovery_s: list[float] = []
    for _ in range(8):  # a random worker, ready or still starting, every 1–2 s
        time.sleep(rng.uniform(1.0, 2.0))
        pids = list(sup.pids().values())
        if not unsettled(db):
            break
        pid = rng.choice(pids)
        killed_at[pid] = time.time()
        os.kill(pid, signal.SIGKILL)

        # A new process in its place within seconds (the backoff grows only while they die young).
        def back(victim: int = pid) -> bool:
            return sup.alive_count() == 3 and victim not in sup.pids().values()

        recovery_s.append(_wait(back, 10, "a replacement process", sup))
    ready_s = _wait(lambda: sup.ready_count() == 3, 90, "three workers taking calls again", sup)
    _wait(lambda: unsettled(db) == 0, 60, "every call settled", sup)

    out = assert_nothing_lost_or_doubled(db, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert_no_overlap(read_runs(intervals, killed_at))
    assert len(recovery_s) >= 3, f"only {len(recovery_s)} kills"
    print(
        f"\n{len(recovery_s)} kills; a replacement started after {max(recovery_s):.2f} s at most; "
        f"all 3 taking calls {ready_s:.1f} s after the last kill"
    )
    assert [out.status[i] for i in ids[:2]] == ["dead", "dead"]
    # The reason is the last attempt's: its error, or the kill that ended it.
    assert all(any(w in (out.errors[i] or "") for w in ("poison", "SIGKILL")) for i in ids[:2])
    assert all(out.status[i] == "done" for i in ids[2:])
    # Each death was seen and logged with its cause; the supervisor row says so to other processes.
    kills = [e for e in sup.exits if "SIGKILL" in e.reason]
    assert len(kills) == len(recovery_s)
    health = queue_health(db)
    assert health.alive_workers == 3 and health.wanted_workers == 3
    assert health.restarts >= len(kills) and "SIGKILL" in (health.last_exit or "")

    # One call.analyzed event per finished call, and no receiver got one twice.
    _wait(lambda: _deliveries_settled(db), 30, "webhook deliveries")
    with Session(db) as session:
        events = session.exec(select(WebhookDelivery.call_id, WebhookDelivery.event_id)).all()
    assert sorted(c or 0 for c, _ in events) == sorted(ids[2:])
    assert max(receiver.received.values()) == 1, receiver.received.most_common(3)
    # A delivery cut by a kill mid-send is retried after its lease; all others arrived.
    assert len(receiver.received) >= len(events) - len(kills)


def _deliveries_settled(db: Engine) -> bool:
    with Session(db) as session:
        statuses = session.exec(select(WebhookDelivery.status)).all()
    return bool(statuses) and all(s in ("delivered", "delivering") for s in statuses)


def test_the_call_of_a_killed_worker_is_finished_by_another_within_seconds(
    db: Engine, db_url: str, tmp_path: Path, supervisors: list[Supervisor]
) -> None:
    lease_s = 120.0
    [call_id] = queue_calls(db, ["long.wav"])
    spec = FakeWorkerSpec(db_url, work_s=2.0, segments=SEGMENTS, lease_s=lease_s, max_attempts=MAX_ATTEMPTS)
    sup = _supervise(db_url, db, supervisors, spec, processes=2)
    _wait(lambda: sup.ready_count() == 2, 60, "two workers up", sup)

    def owner() -> str | None:
        with Session(db) as session:
            call = session.get(Call, call_id)
            return call.lease_owner if call and call.status == "transcribing" else None

    _wait(lambda: owner() is not None, 30, "the call in progress", sup)
    first = owner()
    assert first is not None
    os.kill(sup.pids()[first], signal.SIGKILL)
    killed, killed_wall = time.monotonic(), utcnow()

    def status() -> str:
        with Session(db) as session:
            call = session.get(Call, call_id)
            assert call is not None
            return call.status

    taken_over_s = _wait(lambda: status() == "done", 30, "the call finished", sup)
    print(f"\nkilled mid-call: done {taken_over_s:.2f} s later (lease {lease_s:.0f} s)")
    assert time.monotonic() - killed < lease_s / 4  # not the lease period: its death released it
    with Session(db) as session:
        claims = session.exec(
            select(CallStatusEvent.detail).where(
                CallStatusEvent.call_id == call_id, CallStatusEvent.status == "decoding"
            )
        ).all()
        released, released_at = zip(
            *session.exec(
                select(CallStatusEvent.detail, CallStatusEvent.at).where(
                    CallStatusEvent.call_id == call_id, CallStatusEvent.status == "queued"
                )
            ).all(),
            strict=True,
        )
        call = session.get(Call, call_id)
        assert call is not None
    assert len(claims) == 2 and first in (claims[0] or "") and first not in (claims[1] or "")
    assert any("SIGKILL" in (d or "") for d in released), released
    release = next(at for d, at in zip(released, released_at, strict=True) if "SIGKILL" in (d or ""))
    print(f"released {(release - killed_wall).total_seconds():.2f} s after the kill")
    assert call.attempts == 2 and call.error is None


def test_a_file_that_kills_its_worker_every_time_ends_in_the_dead_letter(
    db: Engine, db_url: str, supervisors: list[Supervisor]
) -> None:
    ids = queue_calls(db, ["crash.wav", *(f"call-{i}.wav" for i in range(6))])
    spec = FakeWorkerSpec(db_url, work_s=0.1, segments=SEGMENTS, max_attempts=3)
    sup = _supervise(db_url, db, supervisors, spec, processes=2)
    _wait(lambda: unsettled(db) == 0, 60, "every call settled", sup)

    out = assert_nothing_lost_or_doubled(db, ids, segments=SEGMENTS, max_attempts=3)
    assert out.status[ids[0]] == "dead" and out.attempts[ids[0]] == 3
    assert "SIGKILL" in (out.errors[ids[0]] or ""), out.errors[ids[0]]
    assert all(out.status[i] == "done" for i in ids[1:])
    # One death per attempt, then no more: not a restart loop.
    deaths = [e for e in sup.exits if e.call_id == ids[0]]
    assert len(deaths) == 3 and len(sup.exits) == 3
    _wait(lambda: sup.ready_count() == 2, 30, "workers back", sup)


def test_a_worker_over_its_memory_limit_is_stopped_and_the_call_dead_lettered(
    db: Engine, db_url: str, supervisors: list[Supervisor]
) -> None:
    ids = queue_calls(db, ["memhog.wav", *(f"call-{i}.wav" for i in range(3))])
    spec = FakeWorkerSpec(db_url, work_s=0.1, segments=SEGMENTS, max_attempts=2)
    sup = _supervise(db_url, db, supervisors, spec, processes=1, memory_limit_bytes=400 << 20)
    _wait(lambda: unsettled(db) == 0, 90, "every call settled", sup)

    out = assert_nothing_lost_or_doubled(db, ids, segments=SEGMENTS, max_attempts=2)
    assert out.status[ids[0]] == "dead"
    assert "memory limit" in (out.errors[ids[0]] or ""), out.errors[ids[0]]
    assert all(out.status[i] == "done" for i in ids[1:])
    assert [e.call_id for e in sup.exits] == [ids[0], ids[0]]


def test_stopping_hands_the_current_call_back_without_counting_an_attempt(
    db: Engine, db_url: str, supervisors: list[Supervisor]
) -> None:
    [call_id] = queue_calls(db, ["long.wav"])
    spec = FakeWorkerSpec(db_url, work_s=30.0, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    sup = _supervise(db_url, db, supervisors, spec, processes=1)

    def status() -> str:
        with Session(db) as session:
            return session.exec(select(Call.status).where(col(Call.id) == call_id)).one()

    _wait(lambda: status() == "transcribing", 60, "the call in progress", sup)
    sup.stop()
    assert sup.pids() == {}
    with Session(db) as session:
        call = session.get(Call, call_id)
        assert call is not None
    assert (call.status, call.attempts, call.lease_owner) == ("queued", 0, None)
    assert queue_health(db).alive_workers == 0
