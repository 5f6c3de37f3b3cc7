"""Celery for several machines: the broker carries call ids, the database stays the record of truth.

``make_celery_app`` configures Celery for long, memory-hungry jobs that must not be lost:

- ``task_acks_late`` + ``task_reject_on_worker_lost``: a message is acknowledged after the call is
  processed, and given back when the pool process running it dies;
- ``worker_prefetch_multiplier=1``: a worker reserves only what it runs (calls take minutes);
- Redis ``visibility_timeout`` far above the longest hard time limit, so Redis does not hand a running
  call to a second worker (RabbitMQ: raise ``consumer_timeout`` above it too);
- ``worker_max_tasks_per_child``: pool processes are replaced now and then (memory growth);
- no result backend (``task_ignore_result``): results and progress are in the database.

``run_celery_worker`` starts a worker through ``app.worker_main`` and runs the reaper
(``voc.pipeline.reaper``) on a thread of the worker's main process, every ``reap_every_s``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from celery import Celery
from celery.signals import worker_process_init
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.db.calls import Call, CallStatus
from voc.pipeline.reaper import reap
from voc.pipeline.tasks import (
    TIME_LIMITS_KEY,
    ContextFactory,
    TimeLimitPolicy,
    enqueue_call,
    register_task,
    use_context_factory,
)
from voc.pipeline.worker import HEARTBEAT_STALE_S, heartbeat, new_worker_id, sign_off

log = logging.getLogger(__name__)

OPTIONS_KEY = "voc_options"


@dataclass(frozen=True)
class CeleryOptions:
    queue: str = "voc"
    key_prefix: str | None = None
    """Redis only: prefix of every key, so that several deployments (or test runs) share one Redis."""
    visibility_timeout_s: float | None = None
    """Redis only; ``None``: twice the longest hard time limit."""
    max_tasks_per_child: int = 100
    reap_every_s: float = 60.0
    reap_stale_s: float = 300.0
    time_limits: TimeLimitPolicy = field(default_factory=TimeLimitPolicy)


def make_celery_app(broker_url: str, options: CeleryOptions | None = None) -> Celery:
    """A Celery app for ``broker_url`` (``redis://…`` or ``amqp://…``) with ``voc.process_call``."""
    options = options or CeleryOptions()
    longest = options.time_limits.longest_s
    visibility = options.visibility_timeout_s or 2 * longest
    if visibility <= longest:
        raise ValueError(
            f"visibility_timeout {visibility:.0f} s must exceed the longest time limit {longest:.0f} s"
        )
    transport: dict[str, Any] = {"visibility_timeout": visibility}
    if options.key_prefix:
        transport["global_keyprefix"] = options.key_prefix
    app = Celery("voc", broker=broker_url, set_as_current=False)
    app.conf.update(
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        task_default_queue=options.queue,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_max_tasks_per_child=options.max_tasks_per_child,
        # A broker hiccup must not abort an hour of transcription: the lease in the database protects
        # the call, and a redelivered message finds it done.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    app.conf[OPTIONS_KEY] = options
    app.conf[TIME_LIMITS_KEY] = options.time_limits
    register_task(app)
    return app


def app_options(app: Celery) -> CeleryOptions:
    options = app.conf.get(OPTIONS_KEY)
    return options if isinstance(options, CeleryOptions) else CeleryOptions()


def queue_depth(app: Celery) -> int:
    """Messages waiting in the app's queue (not counting those a worker holds)."""
    # A declare with the worker's own arguments (idempotent), not a passive one: kombu's passive
    # declare on Redis ignores ``global_keyprefix`` and reports every prefixed queue as missing.
    queue = app.amqp.queues[app_options(app).queue]
    with app.connection_for_write() as conn:
        declared: Any = queue.bind(conn.default_channel).queue_declare()  # (name, messages, consumers)
        return int(declared.message_count)


def reap_once(app: Celery, engine: Engine) -> int:
    """One reaper pass for ``app`` (see ``voc.pipeline.reaper``)."""

    def enqueue(call_id: int, *, duration_s: float | None, audio_size: int | None) -> str:
        return enqueue_call(app, call_id, duration_s=duration_s, audio_size=audio_size)

    return reap(engine, enqueue, stale_s=app_options(app).reap_stale_s, queue_depth=lambda: queue_depth(app))


def _reaper_loop(app: Celery, engine: Engine, stop: threading.Event) -> None:
    every = app_options(app).reap_every_s
    while not stop.wait(every):
        try:
            reap_once(app, engine)
        except Exception:
            log.exception("reaper pass failed; trying again in %.0f s", every)


def _heartbeat_loop(engine: Engine, worker_id: str, stop: threading.Event) -> None:
    """An idle Celery worker sends nothing else: without this, /readyz would call it dead."""
    while True:
        try:
            heartbeat(engine, worker_id)
        except Exception:
            log.exception("worker heartbeat failed")
        if stop.wait(HEARTBEAT_STALE_S / 3):
            return


def run_celery_worker(
    app: Celery,
    context_factory: ContextFactory,
    *,
    reaper_engine: Engine | None,
    concurrency: int,
    loglevel: str = "INFO",
    pool: str = "prefork",
) -> None:
    """Run a Celery worker in this process until it is stopped (SIGTERM: warm shutdown).

    ``context_factory`` runs in each pool process after the fork (the model loads there).
    ``reaper_engine``: run the reaper in this process (``None``: no reaper here).
    """
    use_context_factory(context_factory)
    if reaper_engine is not None:
        engine = reaper_engine

        def _forget_parent_connections(**_: Any) -> None:
            # Pool processes are forked from this one: they must not use (or close) its connections.
            engine.dispose(close=False)

        worker_process_init.connect(_forget_parent_connections, weak=False)
        threading.Thread(
            target=_reaper_loop, args=(app, engine, threading.Event()), name="voc-reaper", daemon=True
        ).start()
        stop = threading.Event()
        beat_id = f"celery:{new_worker_id()}"
        threading.Thread(
            target=_heartbeat_loop, args=(engine, beat_id, stop), name="voc-heartbeat", daemon=True
        ).start()
    try:
        app.worker_main(
            [
                "worker",
                f"--concurrency={concurrency}",
                f"--pool={pool}",
                f"--loglevel={loglevel}",
                f"--queues={app_options(app).queue}",
                f"--hostname=voc{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        if reaper_engine is not None:
            stop.set()
            sign_off(reaper_engine, beat_id)


class CeleryDispatcher:
    """Sends each queued call as a ``voc.process_call`` task (the queued ones only: a call that is
    already running or done needs no message)."""

    def __init__(self, engine: Engine, app: Celery) -> None:
        self.engine = engine
        self.app = app

    def notify(self, call_ids: Iterable[int]) -> None:
        ids = list(call_ids)
        with Session(self.engine) as session:
            rows = session.exec(
                select(Call.id, Call.duration_s, Call.audio_size).where(
                    col(Call.id).in_(ids), Call.status == CallStatus.QUEUED
                )
            ).all()
        for call_id, duration, size in rows:
            try:
                enqueue_call(self.app, int(call_id or 0), duration_s=duration, audio_size=size)
            except Exception:  # the broker is down: the reaper sends it when it is back
                log.exception("call %s: could not send it to the broker; the reaper will", call_id)
