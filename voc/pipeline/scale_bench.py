"""``voc bench scale``: pipeline throughput with 1, 2, … worker processes on this machine.

Each run gets a fresh SQLite database with the same calls queued, starts N worker processes (the
database-polling workers of ``voc serve``; Celery workers run the same code per call) and measures from
the first claim to the last finished call, so process start-up and model loading are left out.

With the ASR model (``model_dir/model.bin``) and audio files, the real pipeline runs, each process with
``cores // N`` CTranslate2 threads. Without them a fake processor does a fixed amount of CPU work per
call instead (SHA-256 rounds, calibrated to ``cpu_work_s`` on one core): it measures the job machinery
and how the cores are shared, not speech recognition, and the result says so.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from voc.db.calls import Call, CallStatusEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScaleRun:
    processes: int
    calls: int
    done: int
    seconds: float
    audio_s: float | None
    load_before: float = 0.0
    """The 1-minute load average when the run started: other work on the machine skews the numbers."""

    @property
    def calls_per_minute(self) -> float:
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def audio_s_per_s(self) -> float | None:
        return self.audio_s / self.seconds if self.audio_s and self.seconds > 0 else None


@dataclass(frozen=True)
class ScaleBenchResult:
    mode: str
    note: str
    runs: list[ScaleRun] = field(default_factory=list)

    @property
    def speedup(self) -> float | None:
        """Throughput of the largest run over the single-process run."""
        one = next((r for r in self.runs if r.processes == 1), None)
        most = max(self.runs, key=lambda r: r.processes, default=None)
        if one is None or most is None or most is one:
            return None
        if one.audio_s_per_s and most.audio_s_per_s:  # recordings differ in length: compare audio
            return most.audio_s_per_s / one.audio_s_per_s
        return most.calls_per_minute / one.calls_per_minute if one.calls_per_minute else None

    def to_markdown(self) -> str:
        lines = [
            "## Scale: worker processes on one machine (`voc bench scale`)",
            "",
            "| worker processes | calls | seconds | calls / minute | audio s / s | load before |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for r in self.runs:
            audio = f"{r.audio_s_per_s:.2f}" if r.audio_s_per_s is not None else "n/a"
            cells = [
                str(r.processes), f"{r.done}/{r.calls}", f"{r.seconds:.1f}", f"{r.calls_per_minute:.1f}",
                audio, f"{r.load_before:.1f}",
            ]  # fmt: skip
            lines.append("| " + " | ".join(cells) + " |")
        if self.speedup is not None:
            lines += [
                "",
                f"Speed-up {max(r.processes for r in self.runs)} vs 1 process: {self.speedup:.2f}×.",
            ]
        lines += ["", f"Mode: {self.mode}. {self.note}"]
        return "\n".join(lines)


def model_available(model_dir: Path | None) -> bool:
    return model_dir is not None and (model_dir / "model.bin").is_file()


def calibrate_sha256_rounds(seconds: float) -> int:
    """SHA-256 rounds that take about ``seconds`` on one core of this machine."""
    rounds, digest, start = 0, b"voc", time.perf_counter()
    while time.perf_counter() - start < 0.3:
        for _ in range(10_000):
            digest = hashlib.sha256(digest).digest()
        rounds += 10_000
    return max(1, int(rounds * seconds / (time.perf_counter() - start)))


def run_scale_bench(
    workdir: Path,
    *,
    model_dir: Path | None = None,
    audio: Sequence[Path] = (),
    processes: Sequence[int] = (1, 2),
    calls: int = 24,
    cpu_work_s: float = 1.0,
    timeout_s: float = 1800.0,
) -> ScaleBenchResult:
    """Measure throughput with each number of ``processes``; ``workdir`` holds the databases and audio."""
    workdir.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    real = model_available(model_dir) and bool(audio)
    if real:
        mode = "real pipeline"
        note = (
            f"faster-whisper model {model_dir}, {len(audio)} recording(s), "
            f"{cores} cores, CTranslate2 threads per process = cores / processes."
        )
        rounds = 0
    else:
        rounds = calibrate_sha256_rounds(cpu_work_s)
        mode = "fake processor (CPU-bound)"
        missing = f"no ASR model in {model_dir}" if not model_available(model_dir) else "no audio given"
        note = (
            f"{missing} (`voc models assemble`), so each call is {cpu_work_s:g} s of single-core CPU work "
            f"({rounds:,} SHA-256 rounds) plus the real job bookkeeping; {cores} cores. "
            "This measures the job machinery and core sharing, not speech recognition."
        )
    result = ScaleBenchResult(mode=mode, note=note)
    for n in processes:
        result.runs.append(
            _run(workdir / f"run-{n}", n, real, model_dir, audio, calls, rounds, cores, timeout_s)
        )
        log.info("%d process(es): %.1f calls/min", n, result.runs[-1].calls_per_minute)
    return result


def _run(
    workdir: Path,
    n: int,
    real: bool,
    model_dir: Path | None,
    audio: Sequence[Path],
    calls: int,
    rounds: int,
    cores: int,
    timeout_s: float,
) -> ScaleRun:
    from voc.audio_store import LocalAudioStore
    from voc.db.engine import make_engine
    from voc.db.migrate import upgrade

    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / "voc.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        if real:
            from voc.calls.ingest import register_call
            from voc.db.calls import CallCreate

            store = LocalAudioStore(workdir / "audio")
            for path in audio:
                stored = store.put_file(path)
                register_call(session, stored, CallCreate(), original_filename=path.name)
        else:
            session.add_all(
                Call(audio_sha256=f"{i:064x}", original_filename=f"bench-{i}.wav", audio_size=0)
                for i in range(calls)
            )
        session.commit()
        total = session.exec(select(func.count()).select_from(Call)).one()
    spec: dict[str, Any] = {
        "url": url,
        "real": real,
        "model_dir": str(model_dir) if model_dir else None,
        "data_dir": str(workdir),
        "threads": max(1, cores // n),
        "rounds": rounds,
    }
    load_before = os.getloadavg()[0]
    context = multiprocessing.get_context("spawn")  # as `voc serve`: the model loads after the start
    procs = [context.Process(target=_worker_main, args=(spec,), daemon=True) for _ in range(n)]
    for proc in procs:
        proc.start()
    deadline = time.monotonic() + timeout_s
    try:
        while any(p.is_alive() for p in procs) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=10)
    failed = [p.exitcode for p in procs if p.exitcode not in (0, None)]
    if failed:
        engine.dispose()
        raise RuntimeError(
            f"{len(failed)} of {n} worker process(es) failed (exit codes {failed}); see the log"
        )
    with Session(engine) as session:
        first = session.exec(
            select(func.min(CallStatusEvent.at)).where(CallStatusEvent.status == "decoding")
        ).one()
        last = session.exec(
            select(func.max(CallStatusEvent.at)).where(CallStatusEvent.status == "done")
        ).one()
        done = session.exec(select(func.count()).select_from(Call).where(col(Call.status) == "done")).one()
        audio_s = session.exec(select(func.sum(Call.duration_s)).where(col(Call.status) == "done")).one()
    engine.dispose()
    seconds = (last - first).total_seconds() if first is not None and last is not None else 0.0
    return ScaleRun(
        processes=n,
        calls=int(total),
        done=int(done),
        seconds=seconds,
        audio_s=float(audio_s) if real and audio_s else None,
        load_before=load_before,
    )


def _worker_main(spec: dict[str, Any]) -> None:
    """One worker process: claim until the queue is empty."""
    import threading

    from voc.db.engine import make_engine
    from voc.pipeline.worker import Worker

    if spec["real"]:
        from voc.pipeline.factory import build_worker
        from voc.runtime import Runtime
        from voc.settings import Settings

        settings = Settings(
            _env_file=None,
            database_url=spec["url"],
            data_dir=Path(spec["data_dir"]),
            asr={"model_dir": spec["model_dir"], "cpu_threads": spec["threads"]},
        )
        rt = Runtime.from_settings(settings)
        worker = build_worker(rt)
        worker.poll_interval_s = 0.05
    else:
        from voc.pipeline.fake import FakeProcessor

        engine = make_engine(spec["url"])
        processor = FakeProcessor(engine, work_s=0, cpu_iterations=spec["rounds"], steps=4)
        worker = Worker(engine, processor, poll_interval_s=0.05)
    worker.backoff_s = 0.0  # a retry must happen within the run (the queue is drained once)
    worker.run(threading.Event(), until_empty=True)
    worker.engine.dispose()
