"""``voc serve`` (API + embedded workers) and ``voc worker`` (a worker only, for other machines)."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

import typer

from voc.assembly import (
    build_runtime,
    celery_app,
    celery_context_factory,
    embedded_worker_count,
    load_settings,
    start_duties,
    supervise_workers,
)
from voc.cli.common import fail
from voc.cli.first_start import show_first_admin_key
from voc.process_manager import ServingError, ServingPlan, ensure_port_free, serve
from voc.runtime import Runtime, configure_logging
from voc.settings import Settings

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
    app.command("worker")(worker_cmd)


#: The app each serving process builds (uvicorn imports it there): voc itself never imports the web layer.
SERVING_APP = "api.serving:serving_app"


def serving_processes(settings: Settings) -> int:
    """One serving process per core unless VOC_SERVER__PROCESSES says otherwise."""
    return settings.server.processes or max(1, os.cpu_count() or 1)


def serve_cmd(
    host: str | None = typer.Option(None, help="Default: VOC_HOST (127.0.0.1)."),
    port: int | None = typer.Option(None, help="Default: VOC_PORT (8000)."),
    workers: int | None = typer.Option(
        None,
        help="Embedded worker processes (0: none, API only). Default: VOC_WORKER__PROCESSES or from cores.",
    ),
    processes: int | None = typer.Option(
        None, min=1, help="API serving processes. Default: VOC_SERVER__PROCESSES or one per core."
    ),
) -> None:
    """Serve the API and web UI; with the embedded default, also run the pipeline workers."""
    settings = load_settings()
    configure_logging(settings.log_level)
    plan = ServingPlan(
        SERVING_APP, host or settings.host, port or settings.port, log_level=settings.log_level.lower()
    )
    try:
        ensure_port_free(plan.host, plan.port)  # before the migrations and the workers: a clear error
    except ServingError as exc:
        fail(str(exc))
    rt = build_runtime(settings, migrate=True)
    show_first_admin_key(rt.engine)
    # With a broker, Celery workers (`voc worker`) do the work; the API only sends them tasks.
    embedded = settings.worker.embedded and not settings.broker_url
    count = workers if workers is not None else (embedded_worker_count(settings) if embedded else 0)
    # One supervisor here, not one per serving process: it keeps the worker processes alive (restarts
    # the dead, releases their calls).
    supervisor = supervise_workers(settings, rt.engine, count).start() if count else None
    serving = processes or serving_processes(settings)
    log.info(
        "serving on http://%s:%s with %d serving process(es) and %d embedded worker(s)",
        plan.host,
        plan.port,
        serving,
        count,
    )
    # uvicorn shuts down gracefully on SIGTERM and then re-raises it (one process); with the default
    # handler that would end this process before the `finally` below, leaving the workers running.
    # With several processes the process manager (ours, or uvicorn's without SO_REUSEPORT) takes SIGTERM
    # itself, stops them and returns.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        # Each serving process reads the same settings from the environment this process was given.
        serve(plan, serving)
    except ServingError as exc:
        fail(str(exc))
    finally:
        if supervisor is not None:
            supervisor.stop()
        rt.close()


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def worker_cmd(
    burst: bool = typer.Option(False, "--burst", help="Exit when the queue is empty (database queue only)."),
    concurrency: int | None = typer.Option(
        None,
        min=1,
        help="Worker (or Celery pool) processes. Default: VOC_WORKER__PROCESSES or from cores.",
    ),
) -> None:
    """Run pipeline workers on this machine: a Celery worker when VOC_BROKER_URL is set, otherwise
    worker processes that poll the database queue, restarted when they die."""
    settings = load_settings()
    configure_logging(settings.log_level)
    if burst and settings.broker_url:
        fail("--burst works with the database queue only (VOC_BROKER_URL is set)")
    rt = build_runtime(settings, migrate=True)
    if not settings.broker_url:
        _supervise(rt, concurrency or embedded_worker_count(settings), burst=burst)
        return
    stop = threading.Event()
    duties = start_duties(rt, stop)  # webhooks, flag events, retention, scheduled refits
    if settings.broker_url:
        from voc.pipeline.celery_app import run_celery_worker  # the Celery layer: only with a broker

        # The model loads in each pool process after the fork; this process only consumes and reaps.
        try:
            run_celery_worker(
                celery_app(settings),
                celery_context_factory(settings),
                reaper_engine=rt.engine,
                concurrency=concurrency or embedded_worker_count(settings),
                loglevel=settings.log_level,
            )
        finally:
            stop.set()
            duties.join(timeout=10)
            rt.close()
        return


def _supervise(rt: Runtime, count: int, *, burst: bool) -> None:
    """The database queue: ``count`` worker processes (each with its background duties), kept alive."""
    supervisor = supervise_workers(rt.settings, rt.engine, count, burst=burst)

    def _stop(_sig: int, _frame: FrameType | None) -> None:
        log.info("stopping: the workers hand back their calls")
        supervisor.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        supervisor.run()
    finally:
        rt.close()
