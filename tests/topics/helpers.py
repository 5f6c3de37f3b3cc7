"""Scoring helpers for the topic tests."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def majority_themes(topics: Sequence[int], themes: Sequence[str]) -> dict[int, str]:
    """Topic id → the known theme most of its documents have."""
    by_topic: dict[int, Counter[str]] = {}
    for topic, theme in zip(topics, themes, strict=True):
        by_topic.setdefault(int(topic), Counter())[theme] += 1
    return {t: c.most_common(1)[0][0] for t, c in by_topic.items()}


def purity(topics: Sequence[int], themes: Sequence[str]) -> float:
    by_topic: dict[int, Counter[str]] = {}
    for topic, theme in zip(topics, themes, strict=True):
        by_topic.setdefault(int(topic), Counter())[theme] += 1
    return sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(themes)
