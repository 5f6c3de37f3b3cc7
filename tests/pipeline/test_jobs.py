"""Job state in the database: one owner per call, leases that expire, retries, dead letters."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.db.calls import Call, CallStatus, CallStatusEvent
from voc.db.types import utcnow
from voc.pipeline import jobs
from voc.pipeline.worker import PermanentError, Reporter, Worker


def _queue(engine: Engine, n: int) -> list[int]:
    with Session(engine) as session:
        calls = [Call(audio_sha256=f"{i:064x}") for i in range(n)]
        session.add_all(calls)
        session.commit()
        return [c.id for c in calls if c.id is not None]


def test_two_workers_never_claim_the_same_call(engine: Engine) -> None:
    ids = _queue(engine, 30)
    claimed: dict[str, list[int]] = {"a": [], "b": []}

    def grab(name: str) -> None:
        with Session(engine) as session:
            while (claim := jobs.claim_next(session, name, lease_s=60, max_attempts=3)) is not None:
                claimed[name].append(claim.call_id)

    threads = [threading.Thread(target=grab, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    together = claimed["a"] + claimed["b"]
    assert sorted(together) == sorted(ids)
    assert len(set(together)) == len(together)


def test_an_expired_lease_is_taken_over_and_the_old_owner_is_fenced(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        assert jobs.claim_next(session, "dead-worker", lease_s=60, max_attempts=3) is not None
        call = session.get(Call, call_id)
        assert call is not None
        call.lease_expires_at = utcnow() - timedelta(seconds=1)
        session.add(call)
        session.commit()
        claim = jobs.claim_next(session, "new-worker", lease_s=60, max_attempts=3)
        assert claim is not None and claim.call_id == call_id and claim.attempt == 2
        with pytest.raises(jobs.LeaseLostError):
            jobs.set_stage(session, call_id, "dead-worker", CallStatus.TRANSCRIBING, 0.5, lease_s=60)
        jobs.complete(session, call_id, "new-worker")
        assert session.get(Call, call_id).status == "done"  # type: ignore[union-attr]


def test_a_call_that_keeps_dying_is_dead_lettered(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    with Session(engine) as session:
        for _ in range(2):
            assert jobs.claim_next(session, "w", lease_s=-1, max_attempts=2) is not None
        assert jobs.claim_next(session, "w", lease_s=60, max_attempts=2) is None
        call = session.get(Call, call_id)
        assert call is not None and call.status == "dead" and "attempts" in (call.error or "")
        assert jobs.requeue(session, call_id)
        assert session.get(Call, call_id).status == "queued"  # type: ignore[union-attr]


def _run(engine: Engine, processor: object, max_attempts: int = 3) -> Worker:
    worker = Worker(engine, processor, max_attempts=max_attempts, backoff_s=0)  # type: ignore[arg-type]
    while worker.run_once():
        pass
    return worker


def test_worker_retries_transient_errors_then_succeeds(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    attempts: list[int] = []

    def flaky(cid: int, report: Reporter) -> None:
        attempts.append(cid)
        report("transcribing", 0.5)
        if len(attempts) < 2:
            raise ConnectionError("database went away")

    _run(engine, flaky)
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.status == "done" and call.attempts == 2
        history = session.exec(select(CallStatusEvent.status).where(CallStatusEvent.call_id == call_id)).all()
    assert len(attempts) == 2
    assert "queued" in history and "transcribing" in history


def test_a_bad_file_fails_once_with_its_reason(engine: Engine) -> None:
    (call_id,) = _queue(engine, 1)
    calls: list[int] = []

    def bad(cid: int, report: Reporter) -> None:
        calls.append(cid)
        raise PermanentError("not audio")

    _run(engine, bad)
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.status == "failed" and call.error == "not audio"
    assert calls == [call_id]
