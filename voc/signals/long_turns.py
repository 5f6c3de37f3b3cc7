"""Long turns for measurement: labelled lines joined with a quiet line, as a recorder's turn holds them.

The corpus and the independent set are single sentences, but a call's customer turn often holds two or
three (「はい、そうです。実は来月で解約しようかと思ってて。」). ``long_turns`` makes such turns from a
set's own lines: each sampled line is joined, before or after it, with a line that carries no signal
from another family, by 。 or by 、 the way Whisper writes a pause. The turn keeps the line's labels,
kind and sentiment (the quiet line adds none), so the same scores apply; a decoy stays a decoy.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import replace

from voc.signals.corpus import LabelledUtterance

_ENDS_SENTENCE = re.compile(r"[。！？!?…]$")
DEFAULT_TURNS = 1500


def _quiet(item: LabelledUtterance) -> bool:
    return item.speaker != "operator" and not any(item.labels) and item.kind in ("", "neutral")


def _join(first: str, second: str, rng: random.Random) -> str:
    first = first.strip()
    if _ENDS_SENTENCE.search(first):
        return first + second.strip()
    return first + rng.choice(("。", "、")) + second.strip()


def long_turns(
    items: Sequence[LabelledUtterance], n: int = DEFAULT_TURNS, seed: int = 0
) -> list[LabelledUtterance]:
    """Up to ``n`` two-line turns from ``items``' customer lines (seeded: the same set gives the same
    turns). Quiet partners are the set's neutral lines (in a set without kinds, any line without a
    label) of another family; none, no turns."""
    rng = random.Random(seed)
    quiet = [u for u in items if _quiet(u)]
    customer = [u for u in items if u.speaker != "operator"]
    if not quiet or not customer:
        return []
    chosen = rng.sample(customer, min(n, len(customer)))
    out: list[LabelledUtterance] = []
    for item in chosen:
        family = item.family or item.id
        partners = [q for q in rng.sample(quiet, min(8, len(quiet))) if (q.family or q.id) != family]
        if not partners:
            continue
        other = partners[0]
        text = _join(other.text, item.text, rng) if rng.random() < 0.5 else _join(item.text, other.text, rng)
        out.append(replace(item, id=f"{item.id}+{other.id}", text=text))
    return out
