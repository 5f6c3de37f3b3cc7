"""``voc bench asr``: the user's cold ingest command against raw faster-whisper, on the same files.

The service is timed as the user runs it: ``voc calls ingest FOLDER --metadata calls.csv --wait`` in a
fresh process on a fresh database (a new data directory each run), so process start, imports, model
loads, decoding, transcription, analysis and storage all count. Raw faster-whisper runs in a fresh process
too (:mod:`voc.bench.raw_whisper`: same model, int8, threads = cores, beam 5, VAD, language ja, the model
loaded once, file after file, mixed to mono). Runs alternate (raw, service, raw, service…) so that load
from other processes on the machine falls on both. Throughput is audio seconds per wall second; the
service is compared with raw's whole process and, stricter, with raw's transcription alone (model loaded).

CER after NFKC without spaces and punctuation, all files pooled. The service stores redacted text, so its
references are redacted the same way (a number read out is then neither an error nor a hit).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from voc.asr.cer import edit_distance, normalize_for_cer
from voc.db.calls import Call, Segment
from voc.db.engine import make_engine

__all__ = [
    "AsrBenchResult",
    "PathResult",
    "ServiceVariant",
    "Turn",
    "format_markdown",
    "load_references",
    "reference_text",
    "role_accuracy",
    "run_asr_bench",
]

logger = logging.getLogger(__name__)

RAW_NAME = "raw faster-whisper"
#: Settings a user's shell may hold that would point the fresh run at another database or a broker.
_INHERITED = ("VOC_DATA_DIR", "VOC_DATABASE_URL", "VOC_AUDIO_DIR", "VOC_BROKER_URL", "VOC_MODELS_DIR")

#: A stretch of speech attributed to a party: (speaker, start, end) in seconds.
Turn = tuple[str, float, float]


@dataclass(frozen=True)
class ServiceVariant:
    """The ingest command with ``env`` added to its environment (``{}``: as configured)."""

    name: str
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """One timed process: wall seconds, text per file name, speakers' turns per file name."""

    wall_s: float
    texts: dict[str, str]
    turns: dict[str, list[Turn]] = field(default_factory=dict)
    #: Raw only: seconds of the transcription itself (after start-up and the model load).
    transcribe_s: float | None = None


@dataclass
class PathResult:
    name: str
    description: str
    audio_s: float = 0.0
    wall_s: list[float] = field(default_factory=list)
    transcribe_s: list[float] = field(default_factory=list)
    cer_by_file: dict[str, float] = field(default_factory=dict)
    cer: float | None = None  # total edits / total reference characters
    roles: float | None = None  # share of the speech time attributed to the right party

    @staticmethod
    def _median_rate(audio_s: float, seconds: Sequence[float]) -> float:
        rates = [audio_s / s for s in seconds if s > 0]
        return statistics.median(rates) if rates else 0.0

    @property
    def throughputs(self) -> list[float]:
        return [self.audio_s / s for s in self.wall_s if s > 0]

    @property
    def throughput(self) -> float:
        """Median over repeats of audio seconds per wall second of the whole process."""
        return self._median_rate(self.audio_s, self.wall_s)

    @property
    def model_loaded_throughput(self) -> float:
        return self._median_rate(self.audio_s, self.transcribe_s)


@dataclass
class AsrBenchResult:
    files: list[str]
    audio_s: float
    repeats: int
    raw: PathResult
    services: list[PathResult]
    #: Per repeat and service: its wall time over raw's wall time in the same repeat (paired ratios).
    paired: dict[str, list[float]] = field(default_factory=dict)

    def ratio_of(self, service: PathResult, *, model_loaded: bool = False) -> float:
        raw = self.raw.model_loaded_throughput if model_loaded else self.raw.throughput
        return service.throughput / raw if raw else 0.0


def reference_text(reference: str | Mapping[str, Any]) -> str:
    """A reference as plain text: a string as is; ``{"turns": [{start, text}, …]}`` in time order."""
    if isinstance(reference, str):
        return reference
    turns = sorted(reference["turns"], key=lambda turn: float(turn["start"]))
    return "".join(str(turn["text"]) for turn in turns)


def load_references(files: Sequence[Path]) -> dict[str, Any]:
    """References for ``files``: ``transcripts.json`` in a file's folder or its parent (keyed by file name),
    else a sibling ``<stem>.json`` (turns) or ``<stem>.txt`` (plain text)."""
    references: dict[str, Any] = {}
    for path in files:
        for catalogue in (path.parent / "transcripts.json", path.parent.parent / "transcripts.json"):
            if catalogue.is_file():
                entries = json.loads(catalogue.read_text(encoding="utf-8"))
                if path.name in entries:
                    references[path.name] = entries[path.name]
                    break
        else:
            if path.with_suffix(".json").is_file():
                references[path.name] = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            elif path.with_suffix(".txt").is_file():
                references[path.name] = path.with_suffix(".txt").read_text(encoding="utf-8")
    return references


def role_accuracy(turns: Mapping[str, Sequence[Turn]], references: Mapping[str, Any]) -> float | None:
    """Share of the hypothesis speech time (all files) whose speaker is that of the reference turn it
    overlaps most; only files whose reference has turns with speakers count."""
    right = total = 0.0
    for key, hypothesis in turns.items():
        reference = references.get(Path(key).name)
        if not isinstance(reference, Mapping) or not reference.get("turns"):
            continue
        truth = [(str(t["speaker"]), float(t["start"]), float(t["end"])) for t in reference["turns"]]
        for speaker, start, end in hypothesis:
            best = max(truth, key=lambda t: min(end, t[2]) - max(start, t[1]))
            total += end - start
            right += end - start if best[0] == speaker else 0.0
    return round(right / total, 4) if total else None


def _score(
    result: PathResult,
    texts: Mapping[str, str],
    references: Mapping[str, Any],
    reference_filter: Callable[[str], str] | None = None,
) -> None:
    edits = chars = 0
    for name, hypothesis in texts.items():
        if name not in references:
            continue
        text = reference_text(references[name])
        ref = normalize_for_cer(reference_filter(text) if reference_filter else text)
        distance = edit_distance(ref, normalize_for_cer(hypothesis))
        result.cer_by_file[name] = round(distance / max(1, len(ref)), 4)
        edits += distance
        chars += len(ref)
    result.cer = round(edits / chars, 4) if chars else None


# -- the two processes ---------------------------------------------------------------------------------
def run_raw(files: Sequence[Path], model_dir: Path, threads: int, workdir: Path) -> tuple[Run, float]:
    """Raw faster-whisper in a fresh process; the run and the audio seconds it decoded."""
    out = workdir / "raw.json"
    command = [sys.executable, "-m", "voc.bench.raw_whisper", str(model_dir), str(threads), str(out)]
    start = time.perf_counter()
    subprocess.run([*command, *map(str, files)], check=True, cwd=workdir)
    wall = time.perf_counter() - start
    found = json.loads(out.read_text(encoding="utf-8"))
    return Run(wall, dict(found["texts"]), transcribe_s=float(found["transcribe_s"])), float(found["audio_s"])


def _voc_command() -> list[str]:
    """The ``voc`` console script of this interpreter's environment (what the user types)."""
    script = Path(sys.executable).with_name("voc")
    if script.is_file():
        return [str(script)]
    found = shutil.which("voc")
    return [found] if found else [sys.executable, "-c", "from voc.cli.main import main; main()"]


def run_service(
    folder: Path, metadata: Path | None, models_dir: Path, variant: ServiceVariant, workdir: Path
) -> Run:
    """``voc calls ingest FOLDER --metadata CSV --wait`` in a fresh process on a fresh data directory;
    then the stored transcripts, read back from that run's database."""
    data_dir = Path(tempfile.mkdtemp(prefix="data-", dir=workdir))
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED}
    env |= {"VOC_DATA_DIR": str(data_dir), "VOC_MODELS_DIR": str(models_dir), **variant.env}
    command = [*_voc_command(), "calls", "ingest", str(folder)]
    if metadata is not None:
        command += ["--metadata", str(metadata)]
    log_path = data_dir / "ingest.log"
    with log_path.open("wb") as log_file:
        if metadata is not None and (metadata.parent / "crm.csv").is_file():
            # The calls name CRM customers (examples/): the fresh database gets them first, untimed.
            crm = [*_voc_command(), "customers", "import", str(metadata.parent / "crm.csv")]
            subprocess.run(crm, cwd=data_dir, env=env, stdout=log_file, stderr=log_file, check=True)
        start = time.perf_counter()
        proc = subprocess.run([*command, "--wait"], cwd=data_dir, env=env, stdout=log_file, stderr=log_file)
        wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} --wait exited {proc.returncode}:\n{tail}")
    texts, turns = _stored_transcripts(data_dir / "voc.db")
    shutil.rmtree(data_dir / "audio", ignore_errors=True)  # the log and the database stay for a look
    return Run(wall, texts, turns)


def _stored_transcripts(database: Path) -> tuple[dict[str, str], dict[str, list[Turn]]]:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            names = dict(session.exec(select(Call.id, Call.original_filename)).all())
            segments = session.exec(select(Segment).order_by(col(Segment.call_id), col(Segment.start))).all()
    finally:
        engine.dispose()
    texts: dict[str, str] = {}
    turns: dict[str, list[Turn]] = {}
    for segment in segments:
        key = names.get(segment.call_id) or ""
        texts[key] = texts.get(key, "") + segment.text
        turns.setdefault(key, []).append((segment.speaker, segment.start, segment.end))
    return texts, turns


# -- the benchmark -------------------------------------------------------------------------------------
def run_asr_bench(
    folder: Path,
    metadata: Path | None,
    files: Sequence[Path],
    references: Mapping[str, Any],
    *,
    model_dir: Path,
    models_dir: Path,
    variants: Sequence[ServiceVariant],
    repeats: int = 2,
    redact: Callable[[str], str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> AsrBenchResult:
    """Time raw faster-whisper on ``files`` and each service variant ingesting ``folder``, alternating,
    ``repeats`` times; CER of the first repeat of each against ``references`` (keyed by file name)."""
    say = progress or (lambda message: logger.info("%s", message))
    cores = os.cpu_count() or 1
    raw = PathResult(
        RAW_NAME,
        f"own process: WhisperModel(int8, cpu_threads={cores}) loaded once; beam 5, vad_filter, "
        "language ja, mono mix; file after file",
    )
    services = [
        PathResult(
            v.name,
            "fresh process and database: `voc calls ingest FOLDER --metadata calls.csv --wait`"
            + (f" with {', '.join(f'{k}={val}' for k, val in v.env.items())}" if v.env else ""),
        )
        for v in variants
    ]
    paired: dict[str, list[float]] = {s.name: [] for s in services}
    with tempfile.TemporaryDirectory(prefix="voc-bench-asr-") as tmp:
        workdir = Path(tmp)
        for repeat in range(repeats):
            raw_run, audio_s = run_raw(files, model_dir, cores, workdir)
            raw.audio_s = audio_s
            raw.wall_s.append(raw_run.wall_s)
            raw.transcribe_s.append(raw_run.transcribe_s or raw_run.wall_s)
            if repeat == 0:
                _score(raw, raw_run.texts, references)
            say(f"repeat {repeat + 1}/{repeats} {RAW_NAME}: {audio_s / raw_run.wall_s:.2f}x real time")
            for variant, result in zip(variants, services, strict=True):
                run = run_service(folder, metadata, models_dir, variant, workdir)
                result.audio_s = audio_s
                result.wall_s.append(run.wall_s)
                paired[result.name].append(raw_run.wall_s / run.wall_s)
                if repeat == 0:
                    _score(result, run.texts, references, redact)
                    result.roles = role_accuracy(run.turns, references)
                say(f"repeat {repeat + 1}/{repeats} {result.name}: {audio_s / run.wall_s:.2f}x real time")
    return AsrBenchResult(
        files=[str(f) for f in files],
        audio_s=round(raw.audio_s, 1),
        repeats=repeats,
        raw=raw,
        services=services,
        paired=paired,
    )


def format_markdown(result: AsrBenchResult, title: str) -> str:
    """A section for docs/BENCHMARKS.md."""
    lines = [
        f"## ASR: cold ingest vs raw faster-whisper — {title}",
        "",
        f"{len(result.files)} file(s), {result.audio_s:.1f} s of audio, {result.repeats} alternating "
        "repeat(s). Throughput = audio seconds per wall second of the whole process (start-up and model "
        "loads included), median and range over repeats; *vs raw* = against raw's whole process, *vs raw "
        "(model loaded)* = against raw's transcription alone, *paired* = raw's wall time over the "
        "service's in the same repeat (each repeat). CER after NFKC without spaces and punctuation, all "
        "files pooled; the service's stored text is redacted, so its references are redacted the same way. "
        "Roles = share of the speech time attributed to the right party.",
        "",
        "| path | what runs | throughput (x real time) | range | vs raw | vs raw (model loaded) "
        "| paired | CER | roles |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    raw = result.raw
    lines.append(
        f"| {raw.name} | {raw.description} | {raw.throughput:.2f} | {_range(raw.throughputs)} | 1.00 | "
        f"{raw.model_loaded_throughput:.2f}x real time | – | {_fmt(raw.cer)} | – |"
    )
    for service in result.services:
        paired = ", ".join(f"{r:.2f}" for r in result.paired.get(service.name, []))
        cells = [
            service.name,
            service.description,
            f"{service.throughput:.2f}",
            _range(service.throughputs),
            f"{result.ratio_of(service):.2f}",
            f"{result.ratio_of(service, model_loaded=True):.2f}",
            paired or "–",
            _fmt(service.cer),
            _fmt(service.roles),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Files: " + ", ".join(Path(f).name for f in result.files), ""]
    return "\n".join(lines)


def _range(values: Sequence[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}" if values else "–"


def _fmt(value: float | None) -> str:
    return f"{value:.3f}" if value is not None else "–"
