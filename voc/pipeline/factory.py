"""Building workers from the settings: the one place where the pipeline's parts are put together."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from sqlmodel import Session

from voc.db.calls import Call
from voc.pipeline.duties import BackgroundDuties, DutySchedule
from voc.pipeline.worker import Worker
from voc.runtime import Runtime, configure_logging
from voc.settings import Settings
from voc.signals.store import signals_for_call
from voc.topics.service import TopicParams

log = logging.getLogger(__name__)


def embedded_worker_count(settings: Settings) -> int:
    """One worker process per two cores: each transcribes its call's channels on two threads."""
    if settings.worker.processes:
        return settings.worker.processes
    return max(1, (os.cpu_count() or 2) // 2)


def build_worker(rt: Runtime) -> Worker:
    from voc.pipeline.process import CallPipeline

    settings = rt.settings
    return Worker(
        rt.engine,
        CallPipeline.from_settings(settings, rt.engine, rt.store),
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


def run_worker_process(settings: Settings) -> None:
    """Entry point of an embedded worker process (spawned: the model loads after the process starts)."""
    configure_logging(settings.log_level)
    rt = Runtime.from_settings(settings)
    stop = threading.Event()
    duties = start_duties(rt, stop)
    try:
        build_worker(rt).run(stop)
    finally:
        stop.set()
        duties.join(timeout=10)
        rt.close()


def call_signals(session: Session, call: Call) -> list[dict[str, Any]]:
    """The call's signals with their evidence, as other tools read them."""
    return signals_for_call(session, call)
