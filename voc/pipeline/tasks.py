"""The Celery task ``voc.process_call``: a call id travels through the broker, the database decides.

A delivery claims *that* call through the database lease (``jobs.claim_call``): a duplicate delivery,
a redelivery after a worker died, or a message that arrives after the call is done is a no-op. The run
itself, its progress reports and its outcome go through ``worker.process_claim``, exactly like the
database-polling worker. A retryable failure is sent again with the backoff as countdown; a call that
fails ``max_attempts`` times is dead-lettered, so a poison file cannot loop.

The processor (the ASR model) is created once per worker process in ``worker_process_init``, after the
fork (CTranslate2 is not fork-safe), from the factory given to ``use_context_factory``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init, worker_process_shutdown
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.db.calls import Call, CallStatus
from voc.db.types import utcnow
from voc.pipeline import jobs
from voc.pipeline.worker import CallProcessor, heartbeat, process_claim, sign_off

log = logging.getLogger(__name__)

TASK_NAME = "voc.process_call"
TIME_LIMITS_KEY = "voc_time_limits"


@dataclass(frozen=True)
class TimeLimitPolicy:
    """Per-task time limits from the audio length: ``base_s + per_audio_s × seconds of audio``.

    Before decoding only the file size is known: ``bytes_per_audio_s`` (16 kbit/s, low for call audio)
    over-estimates the length of most files, which errs on the generous side.
    """

    base_s: float = 300.0
    per_audio_s: float = 3.0
    bytes_per_audio_s: float = 2000.0
    max_audio_s: float = 4 * 3600.0
    grace_s: float = 60.0

    def limits(
        self, *, duration_s: float | None = None, audio_size: int | None = None
    ) -> tuple[float, float]:
        """``(soft, hard)`` seconds: the soft limit raises inside the task, the hard one kills the process."""
        if duration_s:
            audio_s = duration_s
        elif audio_size:
            audio_s = audio_size / self.bytes_per_audio_s
        else:
            audio_s = self.max_audio_s
        soft = self.base_s + self.per_audio_s * min(audio_s, self.max_audio_s)
        return soft, soft + max(self.grace_s, 0.1 * soft)

    @property
    def longest_s(self) -> float:
        return self.limits(duration_s=self.max_audio_s)[1]


@dataclass
class TaskContext:
    """What a worker process needs to run calls: built once per process, after the fork."""

    engine: Engine
    processor: CallProcessor
    worker_id: str
    lease_s: float = 600.0
    max_attempts: int = 3
    backoff_s: float = 30.0
    close: Callable[[], None] = field(default=lambda: None)


ContextFactory = Callable[[], TaskContext]

_factory: ContextFactory | None = None
_context: TaskContext | None = None


def use_context_factory(factory: ContextFactory) -> None:
    """Set how worker processes build their context (call in the worker's main process, before forking)."""
    global _factory
    _factory = factory
    worker_process_init.connect(_open_context, weak=False)
    worker_process_shutdown.connect(_close_context, weak=False)


def _open_context(**_: Any) -> None:
    current_context()  # load the model now, not on the first call


def _close_context(**_: Any) -> None:
    global _context
    if _context is not None:
        try:
            sign_off(_context.engine, _context.worker_id)
        finally:
            _context.close()
            _context = None


def current_context() -> TaskContext:
    """This process's context, built on first use (the solo pool sends no ``worker_process_init``)."""
    global _context
    if _context is None:
        if _factory is None:
            raise RuntimeError("no task context: call use_context_factory() before starting the worker")
        _context = _factory()
        log.info("worker process %s ready", _context.worker_id)
    return _context


def enqueue_call(
    app: Celery,
    call_id: int,
    *,
    duration_s: float | None = None,
    audio_size: int | None = None,
    countdown: float | None = None,
) -> str:
    """Send ``voc.process_call(call_id)`` with time limits scaled to the audio; returns the task id.

    Call it after the transaction that queued the call has committed (a worker may start at once).
    Sending twice is harmless: the second delivery finds the call leased or done.
    """
    policy = app.conf.get(TIME_LIMITS_KEY)
    soft, hard = (policy if isinstance(policy, TimeLimitPolicy) else TimeLimitPolicy()).limits(
        duration_s=duration_s, audio_size=audio_size
    )
    task: Task[Any, Any] = app.tasks[TASK_NAME]
    options: dict[str, Any] = {"countdown": countdown} if countdown else {}
    result = task.apply_async(
        args=(call_id,),
        soft_time_limit=math.ceil(soft),
        time_limit=math.ceil(hard),
        ignore_result=True,
        **options,
    )
    return str(result.id)


def _resend(app: Celery, engine: Engine, call_id: int, countdown: float) -> None:
    with Session(engine) as session:
        row = session.exec(select(Call.duration_s, Call.audio_size).where(Call.id == call_id)).first()
    duration_s, audio_size = (row[0], row[1]) if row is not None else (None, None)
    enqueue_call(app, call_id, duration_s=duration_s, audio_size=audio_size, countdown=max(0.0, countdown))


def run_call(app: Celery, call_id: int) -> str:
    """The body of ``voc.process_call``; returns what happened (for logs and tests)."""
    ctx = current_context()
    with Session(ctx.engine) as session:
        claim = jobs.claim_call(
            session, call_id, ctx.worker_id, lease_s=ctx.lease_s, max_attempts=ctx.max_attempts
        )
        due = jobs.retry_due(session, call_id) if claim is None else None
    if claim is None:
        if due is not None:  # delivered before its retry time (clocks differ): come back then
            _resend(app, ctx.engine, call_id, (due - utcnow()).total_seconds())
        log.info("call %s is not claimable (leased elsewhere, waiting or finished): skipped", call_id)
        return "skipped"
    heartbeat(ctx.engine, ctx.worker_id)
    status = process_claim(
        ctx.engine,
        ctx.processor,
        ctx.worker_id,
        claim,
        lease_s=ctx.lease_s,
        max_attempts=ctx.max_attempts,
        backoff_s=ctx.backoff_s,
    )
    if status == CallStatus.QUEUED:
        _resend(app, ctx.engine, call_id, jobs.retry_delay_s(claim.attempt, ctx.backoff_s))
    return status


def register_task(app: Celery) -> None:
    """Define ``voc.process_call`` on ``app`` (producers and workers alike)."""

    @app.task(name=TASK_NAME, shared=False, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
    def process_call(call_id: int) -> str:
        return run_call(app, call_id)
