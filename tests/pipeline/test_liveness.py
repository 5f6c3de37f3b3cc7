"""What a supervisor does in the database when a worker dies, and what other processes read from it:
released calls are claimable at once (a death counts as an attempt, a graceful stop does not), and the
queue's health says whether anyone works on it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.db.calls import Call, CallStatusEvent
from voc.db.types import utcnow
from voc.db.workers import WorkerHeartbeat, WorkerSupervisor
from voc.pipeline import jobs
from voc.pipeline.liveness import queue_health
from voc.pipeline.proctree import describe_exit
from voc.pipeline.worker import heartbeat


def _queue(engine: Engine, n: int) -> list[int]:
    with Session(engine) as session:
        calls = [Call(audio_sha256=f"{i:064x}") for i in range(n)]
        session.add_all(calls)
        session.commit()
        return [c.id for c in calls if c.id is not None]


def _call(engine: Engine, call_id: int) -> Call:
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        return call


def test_a_dead_workers_call_is_claimable_at_once_and_the_death_counts(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        assert jobs.claim_next(session, "w-dead", lease_s=600, max_attempts=3) is not None
        # A long lease: nobody else may take it…
        assert jobs.claim_next(session, "w-other", lease_s=600, max_attempts=3) is None
        # …until the supervisor knows its owner is gone.
        released = jobs.release_owner(
            session, "w-dead", "worker w-dead killed by SIGKILL", count_attempt=True, max_attempts=3
        )
        assert released == [call_id]
        claim = jobs.claim_next(session, "w-other", lease_s=600, max_attempts=3)
    assert claim is not None and claim.call_id == call_id and claim.attempt == 2
    with Session(engine) as session:
        events = session.exec(
            select(CallStatusEvent.status, CallStatusEvent.detail).where(CallStatusEvent.call_id == call_id)
        ).all()
    assert ("queued", "worker w-dead killed by SIGKILL") in events


def test_a_graceful_stop_hands_the_call_back_without_using_an_attempt(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        jobs.claim_next(session, "w-stopping", lease_s=600, max_attempts=3)
        jobs.release_owner(session, "w-stopping", "handed back", count_attempt=False, max_attempts=3)
    call = _call(engine, call_id)
    assert (call.status, call.attempts, call.lease_owner, call.lease_expires_at) == ("queued", 0, None, None)


def test_a_call_whose_worker_dies_every_time_ends_dead_with_the_cause(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    for attempt in range(1, 4):
        with Session(engine) as session:
            claim = jobs.claim_next(session, f"w{attempt}", lease_s=600, max_attempts=3)
            assert claim is not None and claim.attempt == attempt
            jobs.release_owner(
                session, f"w{attempt}", "killed by SIGKILL", count_attempt=True, max_attempts=3
            )
    call = _call(engine, call_id)
    assert call.status == "dead"
    assert call.error is not None and "3" in call.error and "SIGKILL" in call.error
    with Session(engine) as session:
        assert jobs.claim_next(session, "w4", lease_s=600, max_attempts=3) is None


def test_a_dead_letter_on_claim_keeps_the_last_error(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        session.execute(
            update(Call).where(col(Call.id) == call_id).values(attempts=3, error="decoder crashed")
        )
        session.commit()
        assert jobs.claim_next(session, "w", lease_s=60, max_attempts=3) is None
    call = _call(engine, call_id)
    assert call.status == "dead" and call.error is not None and "decoder crashed" in call.error


def test_release_leaves_a_call_someone_else_took_over_alone(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        jobs.claim_next(session, "w-new", lease_s=600, max_attempts=3)
        assert jobs.release_owner(session, "w-old", "gone", count_attempt=True, max_attempts=3) == []
    call = _call(engine, call_id)
    assert (call.status, call.lease_owner) == ("decoding", "w-new")


def test_health_says_when_no_worker_is_alive(engine: Engine) -> None:
    health = queue_health(engine)
    assert health.alive_workers == 0 and health.workers_check().startswith("no worker alive")
    heartbeat(engine, "w1")
    health = queue_health(engine)
    assert health.alive_workers == 1 and health.workers_check() == "ok"
    with Session(engine) as session:
        session.execute(update(WorkerHeartbeat).values(heartbeat_at=utcnow() - timedelta(minutes=5)))
        session.add(
            WorkerSupervisor(
                supervisor_id="host:1:abc",
                hostname="host",
                pid=1,
                desired=2,
                alive=0,
                restarts=4,
                last_exit=f"pid 7 {describe_exit(-9)}",
                last_exit_at=utcnow(),
            )
        )
        session.commit()
    health = queue_health(engine)
    assert health.alive_workers == 0 and health.wanted_workers == 2 and health.restarts == 4
    assert "killed by SIGKILL" in health.workers_check()
    assert health.summary().startswith("workers 0/2 alive (4 restarts) · 0 queued")


def test_health_says_when_the_queue_is_stalled(engine: Engine) -> None:
    waiting, moving = _queue(engine, 2)
    old = utcnow() - timedelta(minutes=30)
    with Session(engine) as session:
        session.execute(update(Call).values(updated_at=old))
        session.commit()
    health = queue_health(engine, stall_after_s=600)
    assert health.queued == 2 and health.oldest_queued_s is not None and health.oldest_queued_s >= 1700
    assert health.stalled and health.queue_check().startswith("stalled: 2 call(s) queued")
    # A call that moves (a worker reporting progress) means the queue is busy, not stalled.
    with Session(engine) as session:
        jobs.claim_next(session, "w", lease_s=60, max_attempts=3)
    health = queue_health(engine, stall_after_s=600)
    assert health.queued == 1 and not health.stalled and health.queue_check() == "ok"
    assert _call(engine, waiting).status == "decoding" or _call(engine, moving).status == "decoding"


def test_exit_causes_are_named() -> None:
    assert describe_exit(-9).startswith("killed by SIGKILL")
    assert describe_exit(-15) == "killed by SIGTERM"
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(0) == "exited normally"
