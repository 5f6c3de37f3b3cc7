"""The Celery task body, the per-call claim, the reaper and the time limits, in this process (fast).

The task runs here directly (as a pool process would run it) against an in-memory broker; the real
worker processes are in test_chaos.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from celery import Celery
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.scale.fake_pipeline import FakeProcessor
from tests.scale.harness import queue_calls
from voc.db.calls import Call, CallStatusEvent, Segment
from voc.db.types import utcnow
from voc.pipeline import jobs, tasks
from voc.pipeline.celery_app import CeleryOptions, make_celery_app, queue_depth
from voc.pipeline.reaper import reap
from voc.pipeline.tasks import TaskContext, TimeLimitPolicy, enqueue_call, run_call


@pytest.fixture
def app(engine: Engine) -> Iterator[Celery]:
    """An app on the in-memory broker whose task context is this process, with the fake processor."""
    context = TaskContext(
        engine=engine, processor=FakeProcessor(engine, work_s=0, segments=3), worker_id="w1", backoff_s=0
    )
    tasks.use_context_factory(lambda: context)
    yield make_celery_app(
        "memory://", CeleryOptions(queue=f"t-{uuid.uuid4().hex}")
    )  # memory:// is per process
    tasks._close_context()
    tasks._factory = None


def _history(engine: Engine, call_id: int) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(CallStatusEvent.status)
                .where(CallStatusEvent.call_id == call_id)
                .order_by(CallStatusEvent.id)  # type: ignore[arg-type]
            ).all()
        )


def test_a_duplicate_delivery_is_a_no_op(engine: Engine, app: Celery) -> None:
    (call_id,) = queue_calls(engine, ["a.wav"])
    assert run_call(app, call_id) == "done"
    assert run_call(app, call_id) == "skipped"
    with Session(engine) as session:
        assert len(session.exec(select(Segment).where(Segment.call_id == call_id)).all()) == 3
    history = _history(engine, call_id)
    assert history.count("done") == 1
    assert {"decoding", "transcribing", "analysing"} <= set(history)


def test_a_delivery_while_another_worker_holds_the_lease_is_a_no_op(engine: Engine, app: Celery) -> None:
    (call_id,) = queue_calls(engine, ["a.wav"])
    with Session(engine) as session:
        assert jobs.claim_call(session, call_id, "other", lease_s=60, max_attempts=3) is not None
        assert jobs.claim_call(session, call_id, "w1", lease_s=60, max_attempts=3) is None
    assert run_call(app, call_id) == "skipped"
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.lease_owner == "other" and call.attempts == 1


def test_claim_call_takes_over_an_expired_lease_and_dead_letters_when_exhausted(engine: Engine) -> None:
    (call_id,) = queue_calls(engine, ["a.wav"])
    with Session(engine) as session:
        for attempt in (1, 2):
            claim = jobs.claim_call(session, call_id, f"w{attempt}", lease_s=-1, max_attempts=2)
            assert claim is not None and claim.attempt == attempt
        assert jobs.claim_call(session, call_id, "w3", lease_s=60, max_attempts=2) is None
        call = session.get(Call, call_id)
        assert call is not None and call.status == "dead" and "attempts" in (call.error or "")
    assert _history(engine, call_id).count("dead") == 1


def test_a_failed_attempt_is_sent_again_and_a_poison_call_ends_dead(engine: Engine, app: Celery) -> None:
    (call_id,) = queue_calls(engine, ["poison.wav"])
    assert run_call(app, call_id) == "queued"
    assert queue_depth(app) == 1  # the retry, sent with the backoff as countdown
    assert run_call(app, call_id) == "queued"
    assert run_call(app, call_id) == "dead"
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.attempts == 3 and "poison" in (call.error or "")


def test_a_call_delivered_before_its_retry_time_is_sent_again_for_then(engine: Engine, app: Celery) -> None:
    (call_id,) = queue_calls(engine, ["a.wav"])
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        call.not_before = utcnow() + timedelta(seconds=30)
        session.add(call)
        session.commit()
    assert run_call(app, call_id) == "skipped"
    assert queue_depth(app) == 1


def test_time_limits_scale_with_the_audio() -> None:
    policy = TimeLimitPolicy(base_s=300, per_audio_s=3, bytes_per_audio_s=2000, max_audio_s=4 * 3600)
    short = policy.limits(duration_s=60)
    assert short == (480, 540)
    assert policy.limits(audio_size=120_000) == short  # 60 s estimated from the size
    assert policy.limits(duration_s=10 * 3600) == policy.limits() == (43_500, 47_850)
    assert policy.longest_s == 47_850


def test_enqueue_sends_the_time_limits_with_the_task(engine: Engine, app: Celery) -> None:
    sent: list[dict[str, Any]] = []
    task = app.tasks[tasks.TASK_NAME]
    original = task.apply_async

    def record(*args: Any, **kwargs: Any) -> Any:
        sent.append(kwargs)
        return original(*args, **kwargs)

    task.apply_async = record  # type: ignore[method-assign]
    enqueue_call(app, 7, duration_s=100)
    assert sent[0]["args"] == (7,)
    assert (sent[0]["soft_time_limit"], sent[0]["time_limit"]) == (600, 660)


def test_the_visibility_timeout_must_exceed_the_longest_job() -> None:
    with pytest.raises(ValueError, match="visibility_timeout"):
        make_celery_app("memory://", CeleryOptions(visibility_timeout_s=3600))
    app = make_celery_app("memory://")
    assert app.conf.broker_transport_options["visibility_timeout"] > TimeLimitPolicy().longest_s
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1 and app.conf.task_ignore_result


class _Sent:
    def __init__(self) -> None:
        self.ids: list[int] = []

    def __call__(self, call_id: int, *, duration_s: float | None, audio_size: int | None) -> None:
        self.ids.append(call_id)


def _age(engine: Engine, call_id: int, seconds: float, **values: Any) -> None:
    with Session(engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        call.updated_at = utcnow() - timedelta(seconds=seconds)
        for key, value in values.items():
            setattr(call, key, value)
        session.add(call)
        session.commit()


def test_the_reaper_resends_abandoned_and_lost_calls_once(engine: Engine) -> None:
    fresh, lost, abandoned, running, waiting, done = queue_calls(engine, [f"{i}.wav" for i in range(6)])
    now = utcnow()
    _age(engine, lost, 120)
    _age(engine, abandoned, 120, status="transcribing", lease_owner="x", lease_expires_at=now)
    _age(engine, running, 120, status="transcribing", lease_owner="y", lease_expires_at=now + timedelta(60))
    _age(engine, waiting, 120, not_before=now + timedelta(seconds=30))
    _age(engine, done, 120, status="done")
    sent = _Sent()
    assert reap(engine, sent, stale_s=60, queue_depth=lambda: 0) == 2
    assert sorted(sent.ids) == sorted([lost, abandoned])
    assert fresh not in sent.ids
    assert reap(engine, sent, stale_s=60, queue_depth=lambda: 0) == 0  # touched: not again before stale_s


def test_the_reaper_leaves_a_waiting_backlog_alone(engine: Engine) -> None:
    queued, abandoned = queue_calls(engine, ["q.wav", "a.wav"])
    _age(engine, queued, 120)
    _age(engine, abandoned, 120, status="decoding", lease_owner="x", lease_expires_at=utcnow())
    sent = _Sent()
    assert reap(engine, sent, stale_s=60, queue_depth=lambda: 5) == 1
    assert sent.ids == [abandoned]
