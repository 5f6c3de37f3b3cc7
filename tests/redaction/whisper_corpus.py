"""The Whisper-rendered PII corpus (tests/fixtures/pii/whisper_pii.jsonl), loaded once for the tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from voc.bench.redaction import CorpusRecord, load_corpus

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "pii" / "whisper_pii.jsonl"


@cache
def corpus() -> tuple[CorpusRecord, ...]:
    return tuple(load_corpus(CORPUS))
