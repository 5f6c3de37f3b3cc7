"""Real worker processes on real PostgreSQL / SQLite / Redis, killed with SIGKILL while they work.

Whatever dies when, no call is lost (each ends done, or dead-lettered with its reason), none is
processed twice at the same time, and a finished call has its segments once and one "done" event.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.scale.harness import (
    Killer,
    WorkerFleet,
    assert_no_overlap,
    assert_nothing_lost_or_doubled,
    queue_calls,
    read_runs,
    wait_settled,
)
from voc.db.calls import Call, CallStatusEvent
from voc.pipeline.celery_app import CeleryOptions, make_celery_app
from voc.pipeline.tasks import TimeLimitPolicy, enqueue_call

pytestmark = pytest.mark.scale

SEGMENTS = 4
MAX_ATTEMPTS = 4
FAKE = [sys.executable, "-m", "tests.scale.fake_pipeline"]


def _common(db_url: str, intervals: Path, *, work_s: float, lease_s: float) -> list[str]:
    return [
        "--db", db_url, "--work-s", str(work_s), "--segments", str(SEGMENTS), "--intervals", str(intervals),
        "--lease-s", str(lease_s), "--max-attempts", str(MAX_ATTEMPTS), "--backoff-s", "0.2",
    ]  # fmt: skip


def _names(n: int, poison: int = 0) -> list[str]:
    return [f"poison-{i}.wav" for i in range(poison)] + [f"call-{i:03d}.wav" for i in range(n - poison)]


def test_db_polling_workers_lose_nothing_under_sigkill(
    db: Engine, db_url: str, tmp_path: Path, fleets: list[WorkerFleet]
) -> None:
    ids = queue_calls(db, _names(100, poison=2))
    intervals = tmp_path / "runs.jsonl"
    fleet = WorkerFleet(
        [*FAKE, "worker", *_common(db_url, intervals, work_s=0.1, lease_s=2.0), "--poll-s", "0.05"], tmp_path
    )
    fleets.append(fleet)
    fleet.start(3)
    killer = Killer(fleet, db, max_kills=8)
    killer.start()
    wait_settled(db, fleet, timeout_s=90)
    killer.stop.set()
    killer.join()

    out = assert_nothing_lost_or_doubled(db, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert_no_overlap(read_runs(intervals, fleet.killed_at))
    assert len(fleet.kills) >= 3, fleet.kills
    assert [out.status[i] for i in ids[:2]] == ["dead", "dead"]
    assert all("poison" in (out.errors[i] or "") for i in ids[:2])
    assert sum(out.status[i] == "done" for i in ids[2:]) >= 90


def test_celery_workers_lose_nothing_under_sigkill(
    pg: Engine, pg_url: str, redis_url: str, namespace: str, tmp_path: Path, fleets: list[WorkerFleet]
) -> None:
    ids = queue_calls(pg, _names(100, poison=2))
    intervals = tmp_path / "runs.jsonl"
    fleet = WorkerFleet(
        [
            *FAKE, "celery-worker", *_common(pg_url, intervals, work_s=0.1, lease_s=2.0),
            "--broker", redis_url, "--queue", namespace, "--key-prefix", f"{namespace}:",
            "--max-tasks-per-child", "20", "--reap-every-s", "0.5", "--reap-stale-s", "1.0",
        ],
        tmp_path,
    )  # fmt: skip
    fleets.append(fleet)
    app = make_celery_app(redis_url, CeleryOptions(queue=namespace, key_prefix=f"{namespace}:"))
    for call_id in ids:
        enqueue_call(app, call_id, audio_size=32_000)
    fleet.start(3)
    killer = Killer(fleet, pg, max_kills=8)
    killer.start()
    wait_settled(pg, fleet, timeout_s=120)
    killer.stop.set()
    killer.join()

    out = assert_nothing_lost_or_doubled(pg, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert_no_overlap(read_runs(intervals, fleet.killed_at))
    assert len(fleet.kills) >= 3, fleet.kills
    assert [out.status[i] for i in ids[:2]] == ["dead", "dead"]
    assert sum(out.status[i] == "done" for i in ids[2:]) >= 90
    # Progress went through the database on the Celery path too.
    with Session(pg) as session:
        stages = set(session.exec(select(CallStatusEvent.status)).all())
    assert {"decoding", "transcribing", "analysing", "done"} <= stages


def test_poison_and_hung_calls_reach_the_dead_letter_without_blocking_the_queue(
    pg: Engine, pg_url: str, redis_url: str, namespace: str, tmp_path: Path, fleets: list[WorkerFleet]
) -> None:
    ids = queue_calls(pg, ["poison.wav", "hang.wav", *(f"call-{i}.wav" for i in range(20))])
    poison, hang, normal = ids[0], ids[1], ids[2:]
    base_s = 4.0  # every call gets 4 s (no audio length known in this test); "hang" never finishes
    fleet = WorkerFleet(
        [
            *FAKE, "celery-worker", *_common(pg_url, tmp_path / "runs.jsonl", work_s=0.1, lease_s=30.0),
            "--broker", redis_url, "--queue", namespace, "--key-prefix", f"{namespace}:",
            "--time-limit-base-s", str(base_s), "--time-limit-per-audio-s", "0",
            "--reap-every-s", "1", "--reap-stale-s", "60",
        ],
        tmp_path,
    )  # fmt: skip
    fleets.append(fleet)
    options = CeleryOptions(
        queue=namespace, key_prefix=f"{namespace}:", time_limits=TimeLimitPolicy(base_s=base_s, per_audio_s=0)
    )
    app = make_celery_app(redis_url, options)
    for call_id in ids:
        enqueue_call(app, call_id, duration_s=60)
    fleet.start(2)
    wait_settled(pg, fleet, timeout_s=90)

    out = assert_nothing_lost_or_doubled(pg, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert all(out.status[i] == "done" for i in normal)
    assert out.status[poison] == "dead" and out.attempts[poison] == MAX_ATTEMPTS
    assert "poison" in (out.errors[poison] or "")
    assert out.status[hang] == "dead" and out.attempts[hang] == MAX_ATTEMPTS
    assert "TimeLimit" in (out.errors[hang] or ""), out.errors[hang]
    with Session(pg) as session:
        dead_at = session.exec(
            select(CallStatusEvent.at).where(
                CallStatusEvent.call_id == hang, CallStatusEvent.status == "dead"
            )
        ).one()
        done_before = session.exec(
            select(CallStatusEvent.call_id).where(
                col(CallStatusEvent.call_id).in_(normal),
                CallStatusEvent.status == "done",
                CallStatusEvent.at < dead_at,
            )
        ).all()
    # The other calls went through while the bad ones were being retried.
    assert len(done_before) >= len(normal) // 2


@pytest.mark.parametrize("workers", [2])
def test_two_workers_never_process_a_call_at_once(
    db: Engine, db_url: str, tmp_path: Path, fleets: list[WorkerFleet], workers: int
) -> None:
    ids = queue_calls(db, _names(8))
    intervals = tmp_path / "runs.jsonl"
    # Each call takes longer than the lease: only the progress reports (heartbeats) keep it.
    fleet = WorkerFleet(
        [*FAKE, "worker", *_common(db_url, intervals, work_s=2.4, lease_s=1.5), "--poll-s", "0.02"], tmp_path
    )
    fleets.append(fleet)
    fleet.start(workers)
    wait_settled(db, fleet, timeout_s=60)

    out = assert_nothing_lost_or_doubled(db, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert all(out.status[i] == "done" and out.attempts[i] == 1 for i in ids)
    runs = read_runs(intervals, {})
    assert sorted(r.call_id for r in runs) == sorted(ids)  # each call ran once
    assert len({r.pid for r in runs}) == workers  # and both workers took part
    assert_no_overlap(runs)
    with Session(db) as session:
        assert session.exec(select(Call.lease_owner).where(col(Call.lease_owner).is_not(None))).all() == []


def test_celery_over_rabbitmq_loses_nothing_under_sigkill(
    pg: Engine, pg_url: str, amqp_url: str, tmp_path: Path, fleets: list[WorkerFleet]
) -> None:
    queue = f"voc-test-{uuid.uuid4().hex[:12]}"
    ids = queue_calls(pg, _names(30))
    intervals = tmp_path / "runs.jsonl"
    fleet = WorkerFleet(
        [
            *FAKE, "celery-worker", *_common(pg_url, intervals, work_s=0.1, lease_s=2.0),
            "--broker", amqp_url, "--queue", queue, "--reap-every-s", "0.5", "--reap-stale-s", "1.0",
        ],
        tmp_path,
    )  # fmt: skip
    fleets.append(fleet)
    app = make_celery_app(amqp_url, CeleryOptions(queue=queue))
    try:
        for call_id in ids:
            enqueue_call(app, call_id, audio_size=32_000)
        fleet.start(2)
        killer = Killer(fleet, pg, max_kills=3)
        killer.start()
        wait_settled(pg, fleet, timeout_s=90)
        killer.stop.set()
        killer.join()
    finally:
        fleet.close()
        with app.connection_for_write() as conn:
            channel: Any = conn.default_channel
            channel.queue_delete(queue)
            channel.exchange_delete(queue)

    assert_nothing_lost_or_doubled(pg, ids, segments=SEGMENTS, max_attempts=MAX_ATTEMPTS)
    assert_no_overlap(read_runs(intervals, fleet.killed_at))
    assert fleet.kills, "nothing was killed"
