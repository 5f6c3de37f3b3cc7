"""One timed batch of calls through worker processes: files in → every call stored and ``done``.

Shared by ``voc bench scale`` (1, 2, … processes) and ``voc bench asr`` (the service's whole path
against raw faster-whisper). Each batch gets a fresh SQLite database. The worker processes are spawned
as ``voc serve`` spawns them (the model loads after the start) and, with a warm-up file, transcribe it
once *before* the clock starts, as the raw path is timed with its model loaded and warm. The clock then
runs from the first file's ingest (audio store + call row) to the last ``done`` event, so it covers the
whole path: decode in a child process, transcription, redaction, storage, tokens, signals, topics and
events.

Without a model :class:`voc.bench.cpu_work.CpuWorkProcessor` does a fixed amount of CPU work per call
(SHA-256 rounds): that measures the job machinery and how the cores are shared, not speech recognition.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voc.assembly import build_runtime, build_worker, load_settings
from voc.audio_store import LocalAudioStore
from voc.bench.asr import Turn
from voc.bench.cpu_work import CpuWorkProcessor
from voc.calls.ingest import register_call
from voc.db.calls import Call, CallCreate, CallStatusEvent, Segment
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.db.types import utcnow
from voc.pipeline.worker import Worker

log = logging.getLogger(__name__)

__all__ = ["BatchRun", "run_batch"]

_DONE, _FAILED = "done", ("failed", "dead")


@dataclass(frozen=True)
class BatchRun:
    """What one batch took, and what the pipeline stored."""

    processes: int
    calls: int
    done: int
    seconds: float
    audio_s: float | None
    load_before: float = 0.0
    """The 1-minute load average when the batch started: other work on the machine skews the numbers."""
    texts: dict[str, str] = field(default_factory=dict)
    """Stored transcript of each file (its path as given), segments in time order."""
    turns: dict[str, list[Turn]] = field(default_factory=dict)
    """Stored segments of each file as (speaker, start, end)."""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def calls_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def audio_s_per_s(self) -> float | None:
        return self.audio_s / self.seconds if self.audio_s and self.seconds > 0 else None


def run_batch(
    workdir: Path,
    *,
    processes: int,
    files: Sequence[Path] = (),
    layouts: Mapping[str, str] | None = None,
    model_dir: Path | None = None,
    settings: Mapping[str, Any] | None = None,
    warmup: Path | None = None,
    cpu_work_calls: int = 0,
    cpu_work_rounds: int = 0,
    timeout_s: float = 1800.0,
) -> BatchRun:
    """Process ``files`` (real pipeline, ``model_dir``) or ``cpu_work_calls`` CPU-work calls with
    ``processes`` worker processes, each with ``cores // processes`` CTranslate2 threads unless the
    settings say.

    ``layouts`` maps a file (as given) to its channel layout (default: the settings' default);
    ``settings`` are extra ``Settings`` values for the workers, e.g. ``{"asr": {"use_hotwords": False}}``.
    """
    real = bool(files)
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "voc.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    if not real:
        with Session(engine) as session:
            session.add_all(
                Call(audio_sha256=f"{i:064x}", original_filename=f"bench-{i}.wav", audio_size=0)
                for i in range(cpu_work_calls)
            )
            session.commit()
    spec: dict[str, Any] = {
        "url": url,
        "real": real,
        "model_dir": str(model_dir) if model_dir else None,
        "data_dir": str(workdir),
        "processes": processes,
        "settings": dict(settings or {}),
        "warmup": str(warmup) if warmup else None,
        "rounds": cpu_work_rounds,
    }
    context = multiprocessing.get_context("spawn")  # as `voc serve`: the model loads after the start
    ready, go = context.Semaphore(0), context.Event()
    procs = [
        context.Process(target=_worker_main, args=(spec, ready, go), daemon=True) for _ in range(processes)
    ]
    for proc in procs:
        proc.start()
    deadline = time.monotonic() + timeout_s
    call_files: dict[int, str] = {}
    try:
        started_workers = 0
        while started_workers < len(procs):
            if ready.acquire(timeout=0.5):
                started_workers += 1
            elif any(not p.is_alive() for p in procs):  # a bad setting: say so now, not at the deadline
                codes = [p.exitcode for p in procs if not p.is_alive()]
                raise RuntimeError(f"a worker process exited while starting (exit codes {codes})")
            elif time.monotonic() > deadline:
                raise RuntimeError("worker processes did not start in time; see the log")
        load_before = os.getloadavg()[0]
        started = utcnow()
        if real:
            store = LocalAudioStore(workdir / "audio")
            with Session(engine) as session:
                for path in files:
                    layout = (layouts or {}).get(str(path))
                    meta = CallCreate(channel_layout=layout) if layout else CallCreate()
                    registered = register_call(
                        session, store.put_file(path), meta, original_filename=path.name
                    )
                    call_files[int(registered.call.id or 0)] = str(path)
                session.commit()
        go.set()
        while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=10)
    failed = [p.exitcode for p in procs if p.exitcode not in (0, None)]
    if failed:
        engine.dispose()
        raise RuntimeError(f"{len(failed)} of {processes} worker process(es) failed (exit codes {failed})")
    try:
        return _result(engine, processes, started, load_before, real, call_files)
    finally:
        engine.dispose()


def _result(
    engine: Any, processes: int, started: datetime, load_before: float, real: bool, call_files: dict[int, str]
) -> BatchRun:
    with Session(engine) as session:
        last = session.exec(select(func.max(CallStatusEvent.at)).where(CallStatusEvent.status == _DONE)).one()
        total = session.exec(select(func.count()).select_from(Call)).one()
        calls = session.exec(select(Call)).all()
        texts: dict[str, str] = {}
        turns: dict[str, list[Turn]] = {}
        errors: dict[str, str] = {}
        for call in calls:
            name = call_files.get(int(call.id or 0), call.original_filename or str(call.id))
            if call.status in _FAILED:
                errors[name] = call.error or call.status
            elif real:
                rows = session.exec(
                    select(Segment.text, Segment.speaker, Segment.start, Segment.end)
                    .where(Segment.call_id == call.id)
                    .order_by(col(Segment.idx))
                ).all()
                texts[name] = "".join(text for text, *_ in rows)
                turns[name] = [(speaker, start, end) for _, speaker, start, end in rows]
        done = sum(1 for call in calls if call.status == _DONE)
        audio_s = sum(call.duration_s or 0.0 for call in calls if call.status == _DONE)
    return BatchRun(
        processes=processes,
        calls=int(total),
        done=done,
        seconds=(last - started).total_seconds() if last is not None else 0.0,
        audio_s=audio_s if real and audio_s else None,
        load_before=load_before,
        texts=texts,
        turns=turns,
        errors=errors,
    )


def _worker_main(spec: dict[str, Any], ready: Any, go: Any) -> None:
    """One worker process: build (and warm up) the pipeline, wait for the batch, claim until it is empty."""
    if spec["real"]:
        extra = dict(spec["settings"])
        asr = {"model_dir": spec["model_dir"], **extra.pop("asr", {})}
        worker_settings = {"processes": spec["processes"], **extra.pop("worker", {})}
        # Environment values (VOC_…) still apply beneath these, as in `voc serve`.
        settings = load_settings(
            database_url=spec["url"],
            data_dir=Path(spec["data_dir"]),
            asr=asr,
            worker=worker_settings,
            **extra,
        )
        warmup = Path(spec["warmup"]) if spec["warmup"] else None
        worker = build_worker(build_runtime(settings), warm_up_with=warmup)
    else:
        engine = make_engine(spec["url"])
        worker = Worker(engine, CpuWorkProcessor(engine, rounds=spec["rounds"]))
    worker.poll_interval_s = 0.05
    worker.backoff_s = 0.0  # a retry must happen within the batch (the queue is drained once)
    ready.release()
    go.wait()
    worker.run(threading.Event(), until_empty=True)
    worker.engine.dispose()
