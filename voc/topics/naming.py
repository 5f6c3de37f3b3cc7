"""Analyst names for topics, carried over when the model is refit.

A refit renumbers topics. We match old topics to new ones by the cosine similarity of their term-weight
vectors (``TopicModel.topic_vectors()``: token → weight, compared over the union of both vocabularies, so
tokens only one side knows count as zero there), with a one-to-one Hungarian assignment; pairs below
``min_similarity`` are not matched (the old topic disappeared, or the new one is new). Names follow matches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

TermVector = Mapping[str, float]


@dataclass(frozen=True)
class TopicMatch:
    """Old topic ``old_id`` is new topic ``new_id``; ``similarity`` is the cosine of their term vectors."""

    old_id: int
    new_id: int
    similarity: float


@dataclass(frozen=True)
class NameCarryOver:
    """Names by new topic id, and the matches they came from."""

    names: dict[int, str]
    matches: list[TopicMatch]


def similarity_matrix(old: Sequence[TermVector], new: Sequence[TermVector]) -> np.ndarray:
    """Cosine similarity (len(old) × len(new)) over the union of the vocabularies."""
    vocab = sorted({t for v in (*old, *new) for t in v})
    index = {t: i for i, t in enumerate(vocab)}

    def dense(vectors: Sequence[TermVector]) -> np.ndarray:
        m = np.zeros((len(vectors), len(vocab)))
        for row, vec in enumerate(vectors):
            for term, w in vec.items():
                m[row, index[term]] = w
        norms = np.linalg.norm(m, axis=1, keepdims=True)
        return np.asarray(m / np.where(norms > 0, norms, 1.0))

    if not old or not new:
        return np.zeros((len(old), len(new)))
    return np.asarray(dense(old) @ dense(new).T)


def match_topics(
    old: Sequence[TermVector], new: Sequence[TermVector], min_similarity: float = 0.3
) -> list[TopicMatch]:
    """One-to-one matches old → new maximising the total similarity (Hungarian assignment), keeping
    pairs with similarity ≥ ``min_similarity``.

    Sorted by ``old_id``. Unmatched old topics vanished; unmatched new topics are new.
    """
    sim = similarity_matrix(old, new)
    if sim.size == 0:
        return []
    rows, cols = linear_sum_assignment(-sim)
    return [
        TopicMatch(int(r), int(c), float(sim[r, c]))
        for r, c in sorted(zip(rows.tolist(), cols.tolist(), strict=True))
        if sim[r, c] >= min_similarity
    ]


def carry_over_names(
    names: Mapping[int, str],
    old: Sequence[TermVector],
    new: Sequence[TermVector],
    min_similarity: float = 0.3,
) -> NameCarryOver:
    """Map analyst ``names`` (old topic id → name) onto the new topics; names of unmatched topics are dropped
    (the caller may keep them for the record). ``matches`` lists every match, named or not."""
    matches = match_topics(old, new, min_similarity)
    carried = {m.new_id: names[m.old_id] for m in matches if m.old_id in names}
    return NameCarryOver(carried, matches)
