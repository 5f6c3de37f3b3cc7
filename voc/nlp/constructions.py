"""Comparison constructions across chunks: 他社の方が安い, 他社より安い → (他社, 安い).

Excess (〜すぎる), desire (〜たい) and request (〜てほしい/〜てください) live inside one chunk and are
flagged by ``voc.nlp.chunks``; a comparison spans several chunks, so it is found here.
"""

from __future__ import annotations

from dataclasses import dataclass

from voc.nlp.chunks import Chunk

_PREDICATE_POS1 = frozenset({"形容詞", "形状詞", "動詞"})
_MAX_GAP = 5  # chunks allowed between the compared noun and its predicate (が, 料金, が …)


@dataclass(frozen=True, slots=True)
class Comparison:
    """``other`` is said to be ``chunks[predicate]`` (more so than the speaker's side)."""

    other: str
    other_index: int
    predicate: int


def _predicate_after(chunks: list[Chunk], k: int, stop_at_hou: bool) -> int | None:
    for j in range(k, min(k + _MAX_GAP, len(chunks))):
        head = chunks[j].head
        if head.pos1 == "補助記号" or (stop_at_hou and head.lemma == "方"):
            return None
        if head.pos1 in _PREDICATE_POS1:
            return j
    return None


def find_comparisons(chunks: list[Chunk]) -> list[Comparison]:
    """X の方が Y and X より Y, where X is a noun chunk and Y an adjective, adjectival noun or verb."""
    found: list[Comparison] = []
    for i, c in enumerate(chunks[:-2]):
        if c.head.pos1 != "名詞" or len(c.morphs) != 1:
            continue
        nxt = chunks[i + 1].head
        target: int | None = None
        if nxt.surface == "の" and chunks[i + 2].head.lemma == "方":
            target = _predicate_after(chunks, i + 3, stop_at_hou=False)
        elif nxt.surface == "より":
            target = _predicate_after(chunks, i + 2, stop_at_hou=True)
        if target is not None:
            found.append(Comparison(other=c.head.norm, other_index=i, predicate=target))
    return found
