"""ASR benchmark: raw faster-whisper against the service path on the same files, in one run.

"Raw" is what a user would do by hand::

    model = WhisperModel(model_dir, device="cpu", compute_type="int8", cpu_threads=2)
    segments, _ = model.transcribe(decode_audio(path), language="ja", beam_size=5, vad_filter=True)

(the file mixed to mono by ``decode_audio``). The service path is :meth:`Transcriber.transcribe_file`
(child-process decode, channel split, VAD units, parallel workers, guards, roles, metrics). Both are timed
file-in to text-out with their models already loaded; the runs alternate (raw, service, raw, service…)
so that load from other processes spreads over both. Throughput is audio seconds per wall second.
"""

from __future__ import annotations

import json
import logging
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
    "BenchResult",
    "PathResult",
    "format_markdown",
    "load_references",
    "reference_text",
    "run_asr_bench",
]

logger = logging.getLogger(__name__)

RAW_NAME = "raw faster-whisper"


@dataclass
class PathResult:
    """One transcription path: wall seconds of each repeat (all files), and CER per file and overall."""

    name: str
    description: str
    wall_s: list[float] = field(default_factory=list)
    cer_by_file: dict[str, float] = field(default_factory=dict)
    cer: float | None = None  # total edits / total reference characters
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


def _score(result: PathResult, texts: dict[str, str], references: Mapping[str, Any]) -> None:
    edits = chars = 0
    for key, hypothesis in texts.items():
        name = Path(key).name
        if name not in references:
            continue
        ref = normalize_for_cer(reference_text(references[name]))
        distance = edit_distance(ref, normalize_for_cer(hypothesis))
        result.cer_by_file[key] = round(distance / max(1, len(ref)), 4)
        edits += distance
        chars += len(ref)
    result.cer = round(edits / chars, 4) if chars else None


def run_asr_bench(
    files: Sequence[str | Path],
    references: Mapping[str, Any] | None,
    model_dir: str | Path,
    *,
    variants: Mapping[str, AsrOptions] | None = None,
    repeats: int = 2,
    warmup: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BenchResult:
    """Time raw faster-whisper and each service variant (default: ``AsrOptions(model_dir=model_dir)``)
    on ``files``, ``repeats`` times, and score CER against ``references`` (keyed by file name; see
    :func:`reference_text`; a reference's ``channels`` value overrides the layout for that file)."""
    import ctranslate2
    from faster_whisper import WhisperModel, decode_audio

    paths = [Path(f) for f in files]
    refs = dict(references or {})
    variants = dict(variants or {"service (default options)": AsrOptions(model_dir=Path(model_dir))})
    say = progress or (lambda message: logger.info("%s", message))

    raw_model = WhisperModel(
        str(model_dir), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
    )
    transcribers = {
        name: Transcriber(options.model_copy(update={"model_dir": Path(model_dir)}))
        for name, options in variants.items()
    }
    for transcriber in transcribers.values():
        _ = transcriber.model_

    def raw_text(path: Path) -> str:
        segments, _info = raw_model.transcribe(
            decode_audio(str(path)), language="ja", beam_size=5, vad_filter=True
        )
        return "".join(segment.text for segment in segments)

    def service_text(transcriber: Transcriber) -> Callable[[Path], str]:
        def run(path: Path) -> str:
            return transcriber.transcribe_file(path, layout=_layout(refs.get(path.name))).text

        return run

    runners: list[tuple[PathResult, Callable[[Path], str]]] = [
        (PathResult(RAW_NAME, "WhisperModel(int8, cpu_threads=2); beam 5, vad_filter, mono mix"), raw_text)
    ]
    for name, transcriber in transcribers.items():
        o = transcriber.options
        description = (
            f"{o.num_workers} worker(s) x {o.cpu_threads} thread(s), {o.compute_type}, beam {o.beam_size}, "
            f"units <= {o.max_unit_speech_s:g} s speech, "
            f"word timestamps {'on' if o.word_timestamps else 'off'}"
        )
        runners.append((PathResult(name, description), service_text(transcriber)))

    audio_s = 0.0
    for path in paths:
        audio_s += float(decode_audio(str(path)).shape[0]) / 16000
    if warmup and paths:
        for _result, run in runners:
            run(paths[0])

    for repeat in range(repeats):
        for result, run in runners:
            ctranslate2.set_random_seed(1234)  # temperature fallback samples: same draws for every path
            texts: dict[str, str] = {}
            start = time.perf_counter()
            for path in paths:
                texts[str(path)] = run(path)
            result.wall_s.append(time.perf_counter() - start)
            result.audio_s = audio_s
            if repeat == 0:
                _score(result, texts, refs)
            say(f"repeat {repeat + 1}/{repeats} {result.name}: {audio_s / result.wall_s[-1]:.2f}x real time")
    return BenchResult(
        files=[str(p) for p in paths],
        audio_s=round(audio_s, 1),
        repeats=repeats,
        raw=runners[0][0],
        variants=[result for result, _run in runners[1:]],
    )


def format_markdown(result: BenchResult) -> str:
    """A section for docs/BENCHMARKS.md."""
    lines = [
        "## ASR: service path vs raw faster-whisper",
        "",
        f"{len(result.files)} file(s), {result.audio_s:.1f} s of audio, {result.repeats} repeat(s) "
        "(throughput = audio seconds per wall second, median and range over repeats; "
        "CER after NFKC without spaces and punctuation, all files pooled).",
        "",
        "| path | configuration | throughput (x real time) | range | vs raw | CER |",
        "|---|---|---|---|---|---|",
    ]
    for path in [result.raw, *result.variants]:
        rng = f"{min(path.throughputs):.2f}–{max(path.throughputs):.2f}" if path.throughputs else "–"
        ratio = "1.00" if path is result.raw else f"{result.ratio_of(path):.2f}"
        cer = f"{path.cer:.3f}" if path.cer is not None else "–"
        lines.append(
            f"| {path.name} | {path.description} | {path.throughput:.2f} | {rng} | {ratio} | {cer} |"
        )
    lines += ["", "Files: " + ", ".join(Path(f).name for f in result.files), ""]
    return "\n".join(lines)
