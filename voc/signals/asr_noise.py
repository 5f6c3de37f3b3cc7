"""Whisper-style noise for clean training lines, learned from the corpus's own (clean, heard) pairs.

Only part of the corpus has a heard copy (rendering it through TTS and Whisper takes hours on two cores),
yet the detector reads Whisper's text in production: 解約 → 開躍, 分から → わから, 契約 → 計画, lost
punctuation. ``AsrNoise`` aligns each clean line with what Whisper heard of it (``difflib`` on the text
without punctuation) and counts the replaced stretches; ``transform`` then rewrites a clean line with
those confusions, at their observed frequencies, so every family can be trained on a heard-like copy.

It learns only from the pairs it is given: cross-validation fits it on the training families' pairs, so
a held-out family's own mishearings never reach its training data.
"""

from __future__ import annotations

import difflib
import hashlib
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Self

from sklearn.base import BaseEstimator

from voc.signals.corpus import HEARD_SUFFIX, LabelledUtterance

PUNCTUATION = frozenset("、。,.?？!！ 　")


def _bare(text: str) -> str:
    return "".join(c for c in text if c not in PUNCTUATION)


class AsrNoise(BaseEstimator):  # type: ignore[misc]
    """Learned character-stretch confusions of the ASR, applied to clean text.

    Parameters
    ----------
    rate:
        Chance that a stretch of two or more characters Whisper was seen to mishear is replaced.
    char_rate:
        The same for single characters (far more of them occur; mostly kana Whisper hears alike).
    punctuation_drop:
        Chance that a punctuation mark is dropped (Whisper often writes none).
    max_source, max_target:
        Longest clean / heard stretch kept as a confusion (longer ones are whole misheard phrases).
    random_state:
        Seed; the same text always gets the same noise for one seed.
    """

    def __init__(
        self,
        rate: float = 0.5,
        char_rate: float = 0.06,
        punctuation_drop: float = 0.6,
        max_source: int = 3,
        max_target: int = 4,
        random_state: int = 0,
    ) -> None:
        self.rate = rate
        self.char_rate = char_rate
        self.punctuation_drop = punctuation_drop
        self.max_source = max_source
        self.max_target = max_target
        self.random_state = random_state

    def fit(self, pairs: Iterable[tuple[str, str]]) -> Self:
        """``pairs``: (clean line, what Whisper heard of it)."""
        table: dict[str, Counter[str]] = {}
        for clean, heard in pairs:
            a, b = _bare(clean), _bare(heard)
            matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
            for op, i1, i2, j1, j2 in matcher.get_opcodes():
                if op == "replace" and i2 - i1 <= self.max_source and j2 - j1 <= self.max_target:
                    table.setdefault(a[i1:i2], Counter())[b[j1:j2]] += 1
        self.confusions_ = {
            source: (list(heard), list(heard.values())) for source, heard in sorted(table.items())
        }
        return self

    def _noisy(self, text: str) -> str:
        digest = hashlib.sha256(f"{self.random_state}:{text}".encode()).hexdigest()
        rng = random.Random(int(digest[:16], 16))
        out: list[str] = []
        i = 0
        while i < len(text):
            for length in range(self.max_source, 0, -1):
                stretch = text[i : i + length]
                chance = self.rate if length > 1 else self.char_rate
                if len(stretch) == length and stretch in self.confusions_ and rng.random() < chance:
                    heard, counts = self.confusions_[stretch]
                    out.append(rng.choices(heard, weights=counts)[0])
                    i += length
                    break
            else:
                if not (text[i] in PUNCTUATION and rng.random() < self.punctuation_drop):
                    out.append(text[i])
                i += 1
        return "".join(out)

    def transform(self, texts: Sequence[str]) -> list[str]:
        return [self._noisy(t) for t in texts]


def pseudo_heard(
    items: Sequence[LabelledUtterance], per_family: int, noise: AsrNoise | None = None
) -> list[LabelledUtterance]:
    """Heard-like copies of up to ``per_family`` customer lines of each family that have no real heard
    copy, with the noise learned from ``items``' real (clean, heard) pairs (none: no copies)."""
    clean = {u.id: u for u in items if not u.heard}
    sources = {u.id: clean.get(u.id.removesuffix(HEARD_SUFFIX)) for u in items if u.heard}
    pairs = [(source.text, u.text) for u in items if u.heard and (source := sources[u.id]) is not None]
    if not pairs or per_family <= 0:
        return []
    noise = (noise or AsrNoise()).fit(pairs)
    rendered = {u.id.removesuffix(HEARD_SUFFIX) for u in items if u.heard}
    families: dict[str, list[LabelledUtterance]] = {}
    for u in clean.values():
        if u.speaker == "customer" and u.id not in rendered:
            families.setdefault(u.family, []).append(u)
    chosen = [
        u
        for family, lines in sorted(families.items())
        for u in random.Random(f"{noise.random_state}:{family}").sample(lines, min(per_family, len(lines)))
    ]
    texts = noise.transform([u.text for u in chosen])
    return [
        replace(u, id=f"{u.id}#noised", text=text, heard=True)
        for u, text in zip(chosen, texts, strict=True)
        if text.strip()
    ]
