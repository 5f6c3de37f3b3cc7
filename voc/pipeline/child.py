"""The entry point of a worker process (``voc serve``, ``voc worker``, ``voc calls ingest --wait``).

A light module on purpose: a spawned process imports it to unpickle its target, and it must be
watching its parent before the seconds of importing the pipeline begin.
"""

from __future__ import annotations

import multiprocessing.process
import signal
import threading
from multiprocessing.connection import Connection

from voc.pipeline.proctree import lower_priority
from voc.pipeline.worker import stop_when_parent_exits
from voc.settings import Settings


def run_worker_process(
    settings: Settings,
    worker_id: str | None = None,
    supervisor: Connection | None = None,
    *,
    burst: bool = False,
) -> None:
    """Entry point of an embedded worker process (spawned: the model loads after the process starts).
    Under a supervisor it works under the ``worker_id`` it was given, tells it what it does, and exits
    after ``max_tasks_per_child`` calls so that a fresh process takes over (memory)."""
    # Ctrl-C reaches the whole process group: the supervisor stops its processes itself (SIGTERM).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the API's priority (its serving processes share these cores): reads stay fast while calls
    # are transcribed, and the workers still take every cycle the API leaves idle.
    if settings.worker.nice:
        lower_priority(settings.worker.nice)
    stop, working = threading.Event(), threading.Event()
    stop_when_parent_exits(stop, working)  # first: starting takes seconds, the parent may die meanwhile
    # Imported only now, for the reason above: the pipeline takes seconds to import.
    from voc.assembly import build_runtime, build_worker, start_duties
    from voc.runtime import configure_logging

    configure_logging(settings.log_level)
    rt = build_runtime(settings)
    duties = start_duties(rt, stop)
    try:
        worker = build_worker(rt, worker_id=worker_id)
        working.set()
        if supervisor is None:
            worker.run(stop)
        else:
            worker.run(
                stop,
                until_empty=burst,
                max_calls=settings.worker.max_tasks_per_child,
                notify=lambda event, call_id: supervisor.send((event, call_id)),
            )
    finally:
        stop.set()
        duties.join(timeout=10)
        rt.close()


def stop_workers(procs: list[multiprocessing.process.BaseProcess], timeout_s: float = 10.0) -> None:
    """SIGTERM, then wait; a call in flight is taken over by the next worker when its lease expires."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.join(timeout=timeout_s)
