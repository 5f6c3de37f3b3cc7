"""NFKC normalisation that remembers where every normalised character came from.

Tagging runs on the NFKC text (full-width ＡＢＣ/１２３ → ABC/123, half-width ｶﾀｶﾅ → カタカナ); token offsets
are mapped back so they always refer to the caller's original text (KWIC search and highlighting use them).

After NFKC, a dash or wave written after katakana is the long-vowel mark (コストパフォ－マンス, サ〜ビス,
ユーザ- → ー), and a run of long-vowel marks is one (サポーート → サポート): people, IMEs and Whisper write
these variants of the same word.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Half-width voiced/semi-voiced sound marks combine with the preceding kana under NFKC.
_HALFWIDTH_MARKS = frozenset("\uff9e\uff9f")
_LONG_VOWEL = "\u30fc"
# Characters written for the long-vowel mark after katakana (hyphens, dashes, minus, waves).
_LONG_VOWEL_LOOKALIKES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~\u301c\uff5e")


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa"


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
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for start, end in _clusters(original):
        for ch in unicodedata.normalize("NFKC", original[start:end]):
            prev = chars[-1] if chars else ""
            if ch in _LONG_VOWEL_LOOKALIKES and (_is_katakana(prev) or prev == _LONG_VOWEL):
                ch = _LONG_VOWEL
            if ch == _LONG_VOWEL and prev == _LONG_VOWEL:
                origin[-1] = (origin[-1][0], end)  # the merged marks map to all they came from
                continue
            chars.append(ch)
            origin.append((start, end))
    return NormalizedText(original=original, text="".join(chars), origin=tuple(origin))
