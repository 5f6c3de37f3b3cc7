"""Tokenizer throughput for ``voc bench nlp``: returns numbers, prints nothing.

The texts are the customer lines of the committed signals corpus (``models/signals/corpus.jsonl``): real
phrasing with fillers, politeness and negation, the same for every run and every machine.
"""

from __future__ import annotations

import time
from pathlib import Path

from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.corpus import load_corpus


def customer_lines(corpus: Path, limit: int) -> list[str]:
    """The first ``limit`` customer utterances of a labelled corpus (JSON lines)."""
    return [u.text for u in load_corpus(corpus) if u.speaker == "customer"][:limit]


def bench_tokenizer(
    texts: list[str],
    repeats: int = 3,
    user_dic: str | Path | None = None,
) -> dict[str, float | int]:
    """Characters per second of ``JapaneseTokenizer.analyze`` over ``texts``, best of ``repeats``.

    The tagger is created and warmed up before timing, so only steady-state analysis is measured.
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    if not texts:
        raise ValueError("texts must not be empty")
    tokenizer = JapaneseTokenizer(user_dic=user_dic)
    tokenizer.analyze(texts[0])
    chars = sum(len(t) for t in texts)
    times: list[float] = []
    tokens = 0
    for _ in range(repeats):
        start = time.perf_counter()
        tokens = sum(len(tokenizer.analyze(t)) for t in texts)
        times.append(time.perf_counter() - start)
    best = min(times)
    return {
        "texts": len(texts),
        "chars": chars,
        "tokens": tokens,
        "repeats": repeats,
        "seconds_best": best,
        "seconds_mean": sum(times) / len(times),
        "chars_per_second": chars / best if best > 0 else float("inf"),
    }
