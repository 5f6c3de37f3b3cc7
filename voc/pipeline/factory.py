"""Building workers from the settings: the one place where the pipeline's parts are put together."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import multiprocessing.process
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.db.calls import Call
from voc.pipeline.child import run_worker_process
from voc.pipeline.duties import BackgroundDuties, DutySchedule
from voc.pipeline.proctree import total_memory_bytes
from voc.pipeline.supervisor import Supervisor, SupervisorPolicy
from voc.pipeline.worker import Worker
from voc.runtime import Runtime
from voc.settings import Settings
from voc.signals.store import signals_for_call
from voc.topics.service import TopicParams

log = logging.getLogger(__name__)


def embedded_worker_count(settings: Settings) -> int:
    """One worker process per core, each transcribing on one thread: on 2 cores two processes moved
    1.20x the audio of one process on two threads (docs/BENCHMARKS.md, `voc bench scale`)."""
    if settings.worker.processes:
        return settings.worker.processes
    return max(1, os.cpu_count() or 1)


def spawn_workers(settings: Settings, count: int) -> list[multiprocessing.process.BaseProcess]:
    """Worker processes, spawned (not forked: CTranslate2 models are not fork-safe)."""
    if count < 1:
        return []
    context = multiprocessing.get_context("spawn")
    # Each process takes its share of the cores (VOC_ASR__CPU_THREADS=0): tell it how many share them.
    settings = settings.model_copy(update={"worker": settings.worker.model_copy(update={"processes": count})})
    procs: list[multiprocessing.process.BaseProcess] = [
        context.Process(target=run_worker_process, args=(settings,), daemon=True) for _ in range(count)
    ]
    for proc in procs:
        proc.start()
    return procs


def memory_limit_bytes(settings: Settings, count: int) -> int | None:
    """The per-process ceiling: the setting, or 80 % of this machine's memory shared among ``count``."""
    limit_mb = settings.worker.memory_limit_mb
    if limit_mb == 0:
        return None
    if limit_mb is not None:
        return limit_mb << 20
    total = total_memory_bytes()
    return int(total * 0.8 / max(1, count)) if total else None


def supervise_workers(settings: Settings, engine: Engine, count: int, *, burst: bool = False) -> Supervisor:
    """``count`` worker processes kept alive by a supervisor (not started yet: ``start()`` or ``run()``)."""
    # Each process takes its share of the cores (VOC_ASR__CPU_THREADS=0): tell it how many share them.
    settings = settings.model_copy(update={"worker": settings.worker.model_copy(update={"processes": count})})
    worker = settings.worker
    policy = SupervisorPolicy(
        processes=count,
        max_attempts=worker.max_attempts,
        restart_backoff_s=worker.restart_backoff_s,
        restart_backoff_max_s=worker.restart_backoff_max_s,
        memory_limit_bytes=memory_limit_bytes(settings, count),
        burst=burst,
    )
    if policy.memory_limit_bytes is not None:
        log.info("each worker process may use %d MiB", policy.memory_limit_bytes >> 20)
    target = functools.partial(run_worker_process, settings, burst=burst)
    return Supervisor(engine, target, policy)


def stop_workers(procs: list[multiprocessing.process.BaseProcess], timeout_s: float = 10.0) -> None:
    """SIGTERM, then wait; a call in flight is taken over by the next worker when its lease expires."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(timeout=timeout_s)


def build_worker(rt: Runtime, *, warm_up_with: Path | None = None, worker_id: str | None = None) -> Worker:
    """The call worker of ``rt``; with ``warm_up_with``, its pipeline transcribes that file once first."""
    from voc.pipeline.process import CallPipeline

    settings = rt.settings
    pipeline = CallPipeline.from_settings(settings, rt.engine, rt.store)
    if warm_up_with is not None:
        pipeline.warm_up(warm_up_with)
    return Worker(
        rt.engine,
        pipeline,
        worker_id=worker_id,
        lease_s=settings.worker.lease_s,
        max_attempts=settings.worker.max_attempts,
        poll_interval_s=settings.worker.poll_interval_s,
    )


def duty_schedule(settings: Settings) -> DutySchedule:
    return DutySchedule(
        poll_interval_s=settings.worker.poll_interval_s,
        retention_days=settings.audio_retention_days,
        refit_every_days=settings.topics.refit_every_days,
        topic_params=TopicParams(
            n_topics=settings.topics.n_topics, min_calls_to_fit=settings.topics.min_calls_to_fit
        ),
    )


def start_duties(rt: Runtime, stop: threading.Event) -> threading.Thread:
    """Webhooks, flag events, retention and scheduled refits in a thread beside the call worker, so a
    long transcription never delays a delivery."""
    duties = BackgroundDuties(rt.engine, rt.store, duty_schedule(rt.settings))
    thread = threading.Thread(target=duties.run, args=(stop,), name="voc-duties", daemon=True)
    thread.start()
    return thread


def call_signals(session: Session, call: Call) -> list[dict[str, Any]]:
    """The call's signals with their evidence, as other tools read them."""
    return signals_for_call(session, call)
