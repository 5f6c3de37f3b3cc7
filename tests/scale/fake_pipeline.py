"""A fast, deterministic stand-in for the real pipeline, for tests and benchmarks of the job machinery.

``FakeProcessor`` follows the real pipeline's contract (``CallProcessor``): it reports its stages, then
replaces the call's segments with ``segments`` deterministic rows in one transaction, so running it twice
leaves the same result. Calls whose original file name contains ``poison`` raise a transient error every
time (they must end dead-lettered); ``hang`` makes it work for an hour (for time limits); ``crash``
kills its own process (SIGKILL, like a crash in native code) and ``memhog`` allocates memory until it
is stopped (for the supervisor's memory limit). With ``webhooks`` it enqueues the ``call.analyzed``
event in the same transaction as the segments, as the real pipeline's last stage does. With
``intervals`` it appends one JSON line when it starts and one when it ends a call, to check afterwards
that no two workers processed a call at the same time.

It lives under tests/ so that no installed voc can run it; the scale tests start worker processes with
it from the repository root (``tests`` is importable there)::

    python -m tests.scale.fake_pipeline worker --db URL [--work-s 0.2] [--lease-s 2] …
    python -m tests.scale.fake_pipeline celery-worker --db URL --broker redis://… --queue Q [--key-prefix P] …
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.bench.cpu_work import replace_segments, sha256_rounds
from voc.db.calls import Call
from voc.pipeline.worker import PermanentError, Reporter

log = logging.getLogger(__name__)

HANG_S = 3600.0


class PoisonError(RuntimeError):
    """A transient-looking failure that never goes away: the call must reach the dead letter."""


def segment_text(call_id: int, idx: int) -> str:
    return f"通話{call_id}の発話{idx}です"


class FakeProcessor:
    """Writes ``segments`` deterministic segments per call after ``work_s`` of sleep (or CPU work)."""

    def __init__(
        self,
        engine: Engine,
        *,
        work_s: float = 0.2,
        segments: int = 5,
        steps: int = 4,
        cpu_iterations: int = 0,
        intervals: Path | None = None,
        webhooks: bool = False,
    ) -> None:
        self.engine = engine
        self.webhooks = webhooks
        self.work_s = work_s
        self.segments = segments
        self.steps = max(1, steps)
        self.cpu_iterations = cpu_iterations
        self.intervals = intervals

    def __call__(self, call_id: int, report: Reporter) -> None:
        run = uuid.uuid4().hex
        self._record(call_id, run, "start")
        try:
            self._process(call_id, report)
        finally:
            self._record(call_id, run, "end")

    def _process(self, call_id: int, report: Reporter) -> None:
        with Session(self.engine) as session:
            row = session.exec(select(Call.id, Call.original_filename).where(Call.id == call_id)).first()
        if row is None:
            raise PermanentError(f"call {call_id} no longer exists")
        name = row[1] or ""
        report("decoding", 0.0)
        if "poison" in name:
            raise PoisonError(f"poison file {name}")
        report("transcribing", 0.0)
        if "crash" in name:
            os.kill(os.getpid(), signal.SIGKILL)
        if "memhog" in name:
            _hog_memory(report)
        work_s = HANG_S if "hang" in name else self.work_s
        for step in range(self.steps):
            self._work(work_s / self.steps, self.cpu_iterations // self.steps)
            report("transcribing", (step + 1) / self.steps)
        report("analysing", 0.0)
        self._store(call_id)

    def _work(self, seconds: float, iterations: int) -> None:
        if iterations > 0:  # a fixed amount of CPU, so that throughput depends on the cores available
            sha256_rounds(iterations)
        elif seconds > 0:
            time.sleep(seconds)

    def _store(self, call_id: int) -> None:
        with Session(self.engine) as session:
            replace_segments(session, call_id, [segment_text(call_id, i) for i in range(self.segments)])
            if self.webhooks:
                from voc.webhooks.events import enqueue_call_analyzed

                enqueue_call_analyzed(session, call_id)
            session.commit()

    def _record(self, call_id: int, run: str, event: str) -> None:
        if self.intervals is None:
            return
        line = json.dumps({"call": call_id, "run": run, "pid": os.getpid(), "event": event, "t": time.time()})
        # One O_APPEND write per line: lines from several processes never interleave.
        fd = os.open(self.intervals, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)


def _hog_memory(report: Reporter, step_mb: int = 32, max_mb: int = 2048) -> None:
    """Grow by ``step_mb`` every 50 ms (touching the pages, so they count) up to ``max_mb``."""
    held = []
    for _ in range(max_mb // step_mb):
        held.append(bytearray(step_mb << 20))
        report("transcribing", 0.0)
        time.sleep(0.05)
    raise RuntimeError(f"memhog held {len(held) * step_mb} MiB and was not stopped")


@dataclass(frozen=True)
class FakeWorkerSpec:
    """What a supervised fake worker process runs (picklable: processes are spawned)."""

    db_url: str
    work_s: float = 0.2
    segments: int = 5
    intervals: Path | None = None
    lease_s: float = 60.0
    max_attempts: int = 3
    backoff_s: float = 0.2
    poll_s: float = 0.05
    max_calls: int | None = None
    webhooks: bool = False
    log_level: str = "WARNING"


def run_supervised_worker(spec: FakeWorkerSpec, worker_id: str, supervisor: Connection) -> None:
    """A ``Supervisor`` target: the real worker loop and background duties around the fake processor."""
    from voc.audio_store import LocalAudioStore
    from voc.db.engine import make_engine
    from voc.pipeline.duties import BackgroundDuties, DutySchedule
    from voc.pipeline.worker import Worker, stop_when_parent_exits
    from voc.runtime import configure_logging

    configure_logging(spec.log_level)
    engine = make_engine(spec.db_url)
    stop = threading.Event()
    stop_when_parent_exits(stop)
    duties = BackgroundDuties(engine, LocalAudioStore(Path("var/none")), DutySchedule(poll_interval_s=0.1))
    thread = threading.Thread(target=duties.run, args=(stop,), daemon=True)
    thread.start()
    processor = FakeProcessor(
        engine,
        work_s=spec.work_s,
        segments=spec.segments,
        intervals=spec.intervals,
        webhooks=spec.webhooks,
    )
    worker = Worker(
        engine,
        processor,
        worker_id=worker_id,
        lease_s=spec.lease_s,
        max_attempts=spec.max_attempts,
        poll_interval_s=spec.poll_s,
        backoff_s=spec.backoff_s,
    )
    try:
        worker.run(
            stop, max_calls=spec.max_calls, notify=lambda event, call_id: supervisor.send((event, call_id))
        )
    finally:
        stop.set()
        thread.join(timeout=5)
        engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.scale.fake_pipeline")
    sub = parser.add_subparsers(dest="mode", required=True)
    for mode in ("worker", "celery-worker"):
        p = sub.add_parser(mode)
        p.add_argument("--db", required=True)
        p.add_argument("--work-s", type=float, default=0.2)
        p.add_argument("--segments", type=int, default=5)
        p.add_argument("--cpu-iterations", type=int, default=0)
        p.add_argument("--intervals", type=Path)
        p.add_argument("--lease-s", type=float, default=2.0)
        p.add_argument("--max-attempts", type=int, default=3)
        p.add_argument("--backoff-s", type=float, default=0.2)
        p.add_argument("--log-level", default="WARNING")
        if mode == "worker":
            p.add_argument("--poll-s", type=float, default=0.1)
            p.add_argument("--burst", action="store_true", help="Exit when the queue is empty.")
        else:
            p.add_argument("--broker", required=True)
            p.add_argument("--queue", default="voc")
            p.add_argument("--key-prefix")
            p.add_argument("--concurrency", type=int, default=1)
            p.add_argument("--max-tasks-per-child", type=int, default=100)
            p.add_argument("--reap-every-s", type=float, default=0.5)
            p.add_argument("--reap-stale-s", type=float, default=1.0)
            p.add_argument("--time-limit-base-s", type=float, default=300.0)
            p.add_argument("--time-limit-per-audio-s", type=float, default=3.0)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    from voc.db.engine import make_engine
    from voc.runtime import configure_logging

    args = _parser().parse_args(argv)
    configure_logging(args.log_level)

    def processor(engine: Engine) -> FakeProcessor:
        return FakeProcessor(
            engine,
            work_s=args.work_s,
            segments=args.segments,
            cpu_iterations=args.cpu_iterations,
            intervals=args.intervals,
        )

    if args.mode == "worker":
        from voc.pipeline.worker import Worker

        engine = make_engine(args.db)
        stop = threading.Event()

        def _stop(_sig: int, _frame: FrameType | None) -> None:
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        worker = Worker(
            engine,
            processor(engine),
            lease_s=args.lease_s,
            max_attempts=args.max_attempts,
            poll_interval_s=args.poll_s,
            backoff_s=args.backoff_s,
        )
        worker.run(stop, until_empty=args.burst)
        return

    from voc.pipeline.celery_app import CeleryOptions, make_celery_app, run_celery_worker
    from voc.pipeline.tasks import TaskContext, TimeLimitPolicy
    from voc.pipeline.worker import new_worker_id

    def context() -> TaskContext:
        engine = make_engine(args.db)
        return TaskContext(
            engine=engine,
            processor=processor(engine),
            worker_id=new_worker_id(),
            lease_s=args.lease_s,
            max_attempts=args.max_attempts,
            backoff_s=args.backoff_s,
            close=engine.dispose,
        )

    options = CeleryOptions(
        queue=args.queue,
        key_prefix=args.key_prefix,
        max_tasks_per_child=args.max_tasks_per_child,
        reap_every_s=args.reap_every_s,
        reap_stale_s=args.reap_stale_s,
        time_limits=TimeLimitPolicy(base_s=args.time_limit_base_s, per_audio_s=args.time_limit_per_audio_s),
    )
    run_celery_worker(
        make_celery_app(args.broker, options),
        context,
        reaper_engine=make_engine(args.db),
        concurrency=args.concurrency,
        loglevel=args.log_level,
    )


if __name__ == "__main__":
    main()
