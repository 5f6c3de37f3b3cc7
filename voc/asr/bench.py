"""ASR benchmark: raw faster-whisper against the service path on the same files, in one run.

"Raw" is what a user would do by hand, on all cores::

    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=os.cpu_count())
    segments, _ = model.transcribe(decode_audio(path), language="ja", beam_size=5, vad_filter=True)

(the file mixed to mono by ``decode_audio``), file after file. The other paths are :class:`BenchPath`
runners that time themselves on the whole list of files: the CLI passes the service's whole path (files
ingested, worker processes, transcript stored: :mod:`voc.pipeline.bench_batch`); :func:`transcriber_path`
is the transcriber alone, in this process. Every path is timed with its model loaded and warmed up; the
runs alternate (raw, service, raw, service…) so that load from other processes spreads over all of them.
Throughput is audio seconds per wall second.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voc.asr.cer import edit_distance, normalize_for_cer
from voc.asr.options import AsrOptions, ChannelLayout
from voc.asr.transcribe import Transcriber

__all__ = [
    "BenchPath",
    "BenchResult",
    "PathResult",
    "PathRun",
    "format_markdown",
    "layouts_from",
    "load_references",
    "reference_text",
    "role_accuracy",
    "run_asr_bench",
    "transcriber_path",
]

logger = logging.getLogger(__name__)

RAW_NAME = "raw faster-whisper"

#: A stretch of speech attributed to a party: (speaker, start, end) in seconds.
Turn = tuple[str, float, float]


@dataclass(frozen=True)
class PathRun:
    """Wall seconds for the whole list of files, the text of each file (keyed by the path as given),
    and, for a path that labels speakers, each file's turns."""

    seconds: float
    texts: dict[str, str]
    turns: dict[str, list[Turn]] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchPath:
    """A transcription path to compare with raw faster-whisper: ``run(files)`` transcribes them all,
    with its model already loaded and warm, and times itself."""

    name: str
    description: str
    run: Callable[[Sequence[Path]], PathRun]
    #: Applied to each reference before scoring: the service stores redacted text, so its reference is
    #: redacted the same way (a phone number read out is then neither an error nor a hit).
    reference_filter: Callable[[str], str] | None = None


@dataclass
class PathResult:
    """One transcription path: wall seconds of each repeat (all files), and CER per file and overall."""

    name: str
    description: str
    wall_s: list[float] = field(default_factory=list)
    cer_by_file: dict[str, float] = field(default_factory=dict)
    cer: float | None = None  # total edits / total reference characters
    roles: float | None = None  # share of the speech time attributed to the right party
    audio_s: float = 0.0

    @property
    def throughputs(self) -> list[float]:
        return [self.audio_s / wall for wall in self.wall_s if wall > 0]

    @property
    def throughput(self) -> float:
        """Median over repeats of audio seconds per wall second."""
        return statistics.median(self.throughputs) if self.throughputs else 0.0


@dataclass
class BenchResult:
    files: list[str]
    audio_s: float
    repeats: int
    raw: PathResult
    variants: list[PathResult]

    @property
    def ratio(self) -> float:
        """Throughput of the first (default) service variant over raw."""
        return self.ratio_of(self.variants[0])

    def ratio_of(self, variant: PathResult) -> float:
        return variant.throughput / self.raw.throughput if self.raw.throughput else 0.0


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


def _layout(reference: Any) -> ChannelLayout | None:
    if isinstance(reference, Mapping) and reference.get("channels"):
        return ChannelLayout(str(reference["channels"]))
    return None


def _score(
    result: PathResult,
    texts: dict[str, str],
    references: Mapping[str, Any],
    reference_filter: Callable[[str], str] | None = None,
) -> None:
    edits = chars = 0
    for key, hypothesis in texts.items():
        name = Path(key).name
        if name not in references:
            continue
        text = reference_text(references[name])
        ref = normalize_for_cer(reference_filter(text) if reference_filter else text)
        distance = edit_distance(ref, normalize_for_cer(hypothesis))
        result.cer_by_file[key] = round(distance / max(1, len(ref)), 4)
        edits += distance
        chars += len(ref)
    result.cer = round(edits / chars, 4) if chars else None


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


def transcriber_path(
    name: str, options: AsrOptions, layouts: Mapping[str, ChannelLayout] | None = None
) -> BenchPath:
    """The transcriber alone, in this process, one file after the other (no storage, no workers)."""
    transcriber = Transcriber(options)
    warm: list[bool] = []

    def run(files: Sequence[Path]) -> PathRun:
        if not warm and files:
            transcriber.transcribe_file(files[0], layout=(layouts or {}).get(str(files[0])))
            warm.append(True)
        start = time.perf_counter()
        done = {
            str(path): transcriber.transcribe_file(path, layout=(layouts or {}).get(str(path)))
            for path in files
        }
        seconds = time.perf_counter() - start
        return PathRun(
            seconds,
            {key: transcript.text for key, transcript in done.items()},
            {key: [(s.speaker, s.start, s.end) for s in t.segments] for key, t in done.items()},
        )

    o = options
    description = (
        f"transcriber only, in process: {o.cpu_threads} thread(s), {o.compute_type}, beam {o.beam_size}, "
        f"batch {o.batch_size}, hotwords {'on' if o.hotwords else 'off'}"
    )
    return BenchPath(name, description, run)


def layouts_from(references: Mapping[str, Any], files: Sequence[Path]) -> dict[str, ChannelLayout]:
    """Each file's channel layout where its reference names one (``"channels"``), keyed by the path."""
    found = {str(path): _layout(references.get(path.name)) for path in files}
    return {path: layout for path, layout in found.items() if layout is not None}


def run_asr_bench(
    files: Sequence[str | Path],
    references: Mapping[str, Any] | None,
    model_dir: str | Path,
    paths: Sequence[BenchPath],
    *,
    repeats: int = 2,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    """Time raw faster-whisper and each of ``paths`` on ``files``, ``repeats`` times, and score CER
    against ``references`` (keyed by file name; see :func:`reference_text`)."""
    import ctranslate2
    from faster_whisper import WhisperModel, decode_audio

    files_ = [Path(f) for f in files]
    refs = dict(references or {})
    say = progress or (lambda message: logger.info("%s", message))
    cores = os.cpu_count() or 1
    raw_model = WhisperModel(
        str(model_dir), device="cpu", compute_type="int8", cpu_threads=cores, local_files_only=True
    )

    def raw_text(path: Path) -> str:
        segments, _info = raw_model.transcribe(
            decode_audio(str(path)), language="ja", beam_size=5, vad_filter=True
        )
        return "".join(segment.text for segment in segments)

    def raw_run(batch: Sequence[Path]) -> PathRun:
        start = time.perf_counter()
        texts = {str(path): raw_text(path) for path in batch}
        return PathRun(time.perf_counter() - start, texts)  # no speakers: Whisper alone has none

    raw = BenchPath(
        RAW_NAME,
        f"WhisperModel(int8, cpu_threads={cores}); beam 5, vad_filter, mono mix; file after file",
        raw_run,
    )
    audio_s = sum(float(decode_audio(str(path)).shape[0]) / 16000 for path in files_)
    if files_:
        raw_text(files_[0])  # warm-up, as the other paths warm themselves up
    results = [PathResult(path.name, path.description, audio_s=audio_s) for path in [raw, *paths]]
    for repeat in range(repeats):
        for result, path in zip(results, [raw, *paths], strict=True):
            ctranslate2.set_random_seed(1234)  # temperature fallback samples: same draws for every path
            run = path.run(files_)
            result.wall_s.append(run.seconds)
            if repeat == 0:
                _score(result, run.texts, refs, path.reference_filter)
                result.roles = role_accuracy(run.turns, refs) if run.turns else None
            say(f"repeat {repeat + 1}/{repeats} {result.name}: {audio_s / run.seconds:.2f}x real time")
    return BenchResult(
        files=[str(p) for p in files_],
        audio_s=round(audio_s, 1),
        repeats=repeats,
        raw=results[0],
        variants=results[1:],
    )


def format_markdown(result: BenchResult) -> str:
    """A section for docs/BENCHMARKS.md."""
    lines = [
        "## ASR: service path vs raw faster-whisper",
        "",
        f"{len(result.files)} file(s), {result.audio_s:.1f} s of audio, {result.repeats} repeat(s) "
        "(throughput = audio seconds per wall second, median and range over repeats; "
        "CER after NFKC without spaces and punctuation, all files pooled; the service's stored text is "
        "redacted, so its references are redacted the same way before scoring; roles = share of the "
        "speech time attributed to the right party, against the reference turns).",
        "",
        "| path | configuration | throughput (x real time) | range | vs raw | CER | roles |",
        "|---|---|---|---|---|---|---|",
    ]
    for path in [result.raw, *result.variants]:
        rng = f"{min(path.throughputs):.2f}–{max(path.throughputs):.2f}" if path.throughputs else "–"
        ratio = "1.00" if path is result.raw else f"{result.ratio_of(path):.2f}"
        cer = f"{path.cer:.3f}" if path.cer is not None else "–"
        roles = f"{path.roles:.3f}" if path.roles is not None else "–"
        cells = [path.name, path.description, f"{path.throughput:.2f}", rng, ratio, cer, roles]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Files: " + ", ".join(Path(f).name for f in result.files), ""]
    return "\n".join(lines)
