"""``voc bench scale``: pipeline throughput with 1, 2, … worker processes on this machine.

Each run is one :func:`voc.bench.batch.run_batch`: a fresh SQLite database, N worker processes
(the database-polling workers of ``voc serve``; Celery workers run the same code per call), timed from
the first ingest to the last finished call, with process start-up and model loading left out.

With the ASR model (``model_dir/model.bin``) and audio files, the real pipeline runs, each process with
``cores // N`` CTranslate2 threads. Without them a CPU-work processor (:mod:`voc.bench.cpu_work`) does a
fixed amount of CPU work per call instead (SHA-256 rounds, calibrated to ``cpu_work_s`` on one core): it
measures the job machinery and how the cores are shared, not speech recognition, and the result says so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from voc.bench.batch import BatchRun, run_batch
from voc.bench.cpu_work import calibrate_sha256_rounds

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScaleBenchResult:
    mode: str
    note: str
    runs: list[BatchRun] = field(default_factory=list)

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
            run_batch(
                workdir / f"run-{n}",
                processes=n,
                files=audio if real else (),
                model_dir=model_dir,
                cpu_work_calls=calls,
                cpu_work_rounds=rounds,
                warmup=audio[0] if real else None,
                timeout_s=timeout_s,
            )
        )
        log.info("%d process(es): %.1f calls/min", n, result.runs[-1].calls_per_minute)
    return result
