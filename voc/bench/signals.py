"""``voc bench signals``: the detector's quality on held-out phrasing families and on an independent set,
next to the rules, and what analysing a call's text costs. Returns markdown; prints nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from voc.nlp.sentiment import Lexicon
from voc.signals.artefact import EMBEDDINGS_FILE, load_training_set
from voc.signals.corpus import LabelledUtterance, load_corpus, load_heard
from voc.signals.detector import SignalDetector
from voc.signals.evaluation import SetScores, cross_validate, score_long_turns, score_set
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES


@dataclass(frozen=True, slots=True)
class SignalsBench:
    sets: list[SetScores]
    corpus_size: int
    families: int
    heard: int
    folds: int
    ms_per_utterance: float
    ms_per_call: float
    utterances_per_call: float


def independent_sets(path: Path) -> list[tuple[str, list[LabelledUtterance]]]:
    """The independent set and, when rendered, its heard copy (``<name>_heard.jsonl`` beside it)."""
    if not path.is_file():
        return []
    clean = load_corpus(path)
    out = [("independent", clean)]
    heard = load_heard(path.with_name(path.stem + "_heard.jsonl"), clean)
    if heard:
        out.append(("independent, heard", heard))
    return out


def time_calls(
    detector: SignalDetector, analyzer: UtteranceAnalyzer, calls: Sequence[Sequence[str]]
) -> tuple[float, float]:
    """(ms per utterance, ms per call) of the signals stage's text work: tokens, rules, detector."""
    n = sum(len(c) for c in calls)
    start = time.perf_counter()
    for call in calls:
        detector.predict_proba([analyzer(text) for text in call])
    seconds = time.perf_counter() - start
    return 1000 * seconds / max(n, 1), 1000 * seconds / max(len(calls), 1)


def run_bench(
    corpus_dir: Path,
    independent: Path,
    detector: SignalDetector,
    analyzer: UtteranceAnalyzer,
    lexicon: Lexicon,
    calls: Sequence[Sequence[str]],
    *,
    folds: int = 5,
) -> SignalsBench:
    data = load_training_set(corpus_dir)
    items = data.items
    held_out = cross_validate(
        items, analyzer.analyse, lexicon, folds=folds, embedding_store=corpus_dir / EMBEDDINGS_FILE
    )
    sets = [s for s in held_out if s.n]
    for name, rows in independent_sets(independent):
        sets.append(score_set(name, detector, rows, analyzer.analyse, lexicon))
        sets.append(score_long_turns(name, detector, rows, analyzer.analyse, lexicon))
    for call in calls[:2]:  # warm-up: the tagger and the encoder load on first use
        detector.predict_proba([analyzer(t) for t in call])
    per_utterance, per_call = time_calls(detector, analyzer, calls)
    return SignalsBench(
        sets=sets,
        corpus_size=len(data.clean),
        families=len({u.family for u in data.clean}),
        heard=len(data.heard),
        folds=folds,
        ms_per_utterance=per_utterance,
        ms_per_call=per_call,
        utterances_per_call=sum(len(c) for c in calls) / max(len(calls), 1),
    )


def _cell(scores: SetScores, signal: str) -> str:
    d, r = scores.detector[signal], scores.rules[signal]
    return f"{d.precision:.2f} / {d.recall:.2f} / **{d.f1:.2f}** ({r.f1:.2f})"


def to_markdown(bench: SignalsBench, transcription_s_per_call: float | None = None) -> str:
    header = "| signal | " + " | ".join(s.name for s in bench.sets) + " |"
    lines = [
        "## Signals: detector quality (`voc bench signals`)",
        "",
        f"Corpus: {bench.corpus_size} labelled utterances in {bench.families} phrasing families, plus "
        f"{bench.heard} heard copies (offline TTS at 8 kHz → the bundled Whisper). *clean* and *heard*: "
        f"GroupKFold over the families ({bench.folds} folds; a family and its heard copies are held out "
        "together, so no test sentence has a sibling of its own template in training). *independent*: "
        "the shipped detector on sentences written separately from the corpus and never trained on "
        "(`tests/fixtures/signals/`). *long turns*: lines of the set beside them joined with a quiet line "
        "of another family by 。 or 、 (`voc.signals.long_turns`: a recorder's turn holds several "
        "sentences), scored on the first line's labels; in a set without kinds (*independent*) the quiet "
        "line is any line without a label, decoys included, so a long turn there holds two decoys' chances "
        "of a false alarm. Customer lines only (operator lines never reach the detector).",
        "",
        "Each cell: precision / recall / **F1** of the detector, and in brackets the F1 of the rule book "
        "alone.",
        "",
        header,
        "| --- |" + " --- |" * len(bench.sets),
    ]
    for signal in SIGNAL_TYPES:
        lines.append(f"| {signal} | " + " | ".join(_cell(s, signal) for s in bench.sets) + " |")
    lines.append(
        "| decoys' false positives (detector / rules) | "
        + " | ".join(f"{s.decoy_fp_detector:.1%} / {s.decoy_fp_rules:.1%} of {s.decoys}" for s in bench.sets)
        + " |"
    )
    lines.append(
        "| sentiment: negative F1 (lexicon) | "
        + " | ".join(
            f"**{s.sentiment_negative_f1:.2f}** ({s.sentiment_negative_f1_lexicon or 0:.2f})"
            if s.sentiment_negative_f1 is not None
            else "–"
            for s in bench.sets
        )
        + " |"
    )
    lines += [
        "",
        f"Analysis cost (tokens, rules, reading, embedding, heads; one thread): "
        f"{bench.ms_per_utterance:.1f} ms per utterance, {bench.ms_per_call:.0f} ms per call of "
        f"{bench.utterances_per_call:.1f} utterances.",
    ]
    if transcription_s_per_call:
        share = bench.ms_per_call / 1000 / transcription_s_per_call
        lines[-1] += (
            f" Transcribing the same calls took {transcription_s_per_call:.1f} s per call here: "
            f"the text analysis is {share:.1%} of it."
        )
    return "\n".join(lines)


def example_calls(transcripts: Path) -> list[list[str]]:
    """Customer turns per call from a transcripts file like ``examples/transcripts.json`` (timing only)."""
    data = json.loads(transcripts.read_text(encoding="utf-8"))
    out = []
    for call in data.values():
        out.append([str(t["text"]) for t in call["turns"] if t.get("speaker") != "operator"])
    return [c for c in out if c]
