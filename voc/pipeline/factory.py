"""Building workers from the settings: the one place where the pipeline's parts are put together."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from sqlmodel import Session

from voc.db.calls import Call
from voc.pipeline.worker import Worker
from voc.runtime import Runtime, configure_logging
from voc.settings import Settings

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


def run_worker_process(settings: Settings) -> None:
    """Entry point of an embedded worker process (spawned: the model loads after the process starts)."""
    configure_logging(settings.log_level)
    rt = Runtime.from_settings(settings)
    try:
        build_worker(rt).run(threading.Event())
    finally:
        rt.close()


def call_signals(session: Session, call: Call) -> list[dict[str, Any]]:
    """The call's signals with their evidence, as other tools read them."""
    try:
        from voc.signals.store import signals_for_call
    except ImportError:  # the signals stage is optional until it is installed
        return []
    return signals_for_call(session, call)
