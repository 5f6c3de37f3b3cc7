"""NFKC normalisation that remembers where every normalised character came from.

Tagging runs on the NFKC text (full-width ＡＢＣ/１２３ → ABC/123, half-width ｶﾀｶﾅ → カタカナ); token offsets
are mapped back so they always refer to the caller's original text (KWIC search and highlighting use them).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Half-width voiced/semi-voiced sound marks combine with the preceding kana under NFKC.
_HALFWIDTH_MARKS = frozenset("\uff9e\uff9f")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """``text`` is the NFKC form of ``original``.

    ``origin[i]`` is the ``(start, end)`` span of ``original`` that ``text[i]`` came from.
    """

    original: str
    text: str
    origin: tuple[tuple[int, int], ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a ``[start, end)`` span of ``text`` to the span of ``original`` it came from."""
        if start >= end:
            pos = self.origin[start][0] if start < len(self.origin) else len(self.original)
            return pos, pos
        return self.origin[start][0], self.origin[end - 1][1]


def _clusters(text: str) -> list[tuple[int, int]]:
    """Split into base character + following combining marks, the unit NFKC may compose."""
    spans: list[tuple[int, int]] = []
    for i, ch in enumerate(text):
        if spans and (unicodedata.combining(ch) or ch in _HALFWIDTH_MARKS):
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans


def normalize(original: str) -> NormalizedText:
    """NFKC-normalise cluster by cluster, keeping an offset map back to ``original``."""
    parts: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(original):
        piece = unicodedata.normalize("NFKC", original[start:end])
        parts.append(piece)
        origin.extend([(start, end)] * len(piece))
    return NormalizedText(original=original, text="".join(parts), origin=tuple(origin))
