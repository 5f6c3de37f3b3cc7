"""Cue words matched by how they sound, not how Whisper spelled them.

Whisper writes a word it misheard as another word that sounds alike: 生年月日 → 青年月日 / 正念月日,
クレジット → クレジッド, 電話番号 → 電話晩号. A cue matched only by spelling is then missed and the
number after it stays in clear. Here a text is read with the NLP layer's tagger (fugashi + unidic-lite,
each morpheme's kana reading; unknown words read as written), both the text's reading and the cue's are
reduced to a coarse phonetic key (voicing, small kana, long vowels and ッ dropped: ガッピ ≈ ガツヒ), and
the cue is looked for in the key with a few edits allowed, in proportion to its length.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from voc.nlp.dictionary import create_tagger

# Voiced / semi-voiced → plain; small → large; ヲ → オ, ヂ → シ (ジ), ヅ → ス (ズ).
_KEY_MAP = str.maketrans(
    "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポァィゥェォャュョヮヵヶヲヴ",
    "カキクケコサシスセソタシストトハヒフヘホハヒフヘホアイウエオヤユヨワカケオウ",
)
_DROP = frozenset("ーッっ・ 　、,，。")
_O_ROW = frozenset("オコソトノホモヨロヲゴゾドボポョォ")
_E_ROW = frozenset("エケセテネヘメレゲゼデベペェ")


def phonetic_key(kana: str) -> tuple[str, list[int]]:
    """The coarse key of a katakana string and, per key character, its index in ``kana``."""
    out: list[str] = []
    where: list[int] = []
    prev = ""
    for i, raw in enumerate(kana):
        if raw in _DROP:
            continue
        ch = raw.translate(_KEY_MAP)
        # Long vowels: オウ/オオ → オ, エイ → エ (セイネン ≈ セーネン ≈ セネン, ティ ≈ テ).
        if (ch in "ウオ" and prev in _O_ROW) or (ch == "イ" and prev in _E_ROW):
            prev = ch
            continue
        prev = ch
        out.append(ch)
        where.append(i)
    return "".join(out), where


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@dataclass(frozen=True, slots=True)
class Reading:
    """The katakana reading of a text; ``origin[i]`` is the text offset reading[i] was read from."""

    kana: str
    origin: tuple[int, ...]
    ends: tuple[int, ...]


class Reader:
    """Reads texts with a lazily created fugashi tagger (one per thread: MeCab is not thread-safe)."""

    def __init__(self, cache_size: int = 4096) -> None:
        self._local = threading.local()
        self.cache_size = cache_size

    def _tagger(self) -> Any:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = create_tagger(None)
            self._local.tagger = tagger
        return tagger

    def morphemes(self, text: str) -> list[tuple[int, int, str, str, str]]:
        """``(start, end, reading, pos1, pos2+pos3)`` for each morpheme of ``text``."""
        out: list[tuple[int, int, str, str, str]] = []
        pos = 0
        for node in self._tagger()(text):
            surface = str(node.surface)
            found = text.find(surface, pos)
            start = found if found >= 0 else pos
            end = start + len(surface)
            pos = end
            f = node.feature
            kana = (
                f.kana
                if f.kana not in (None, "*", "")
                else to_katakana(unicodedata.normalize("NFKC", surface))
            )
            out.append((start, end, str(kana), str(f.pos1), f"{f.pos2},{f.pos3}"))
        return out

    def read(self, text: str) -> Reading:
        # The same context windows are read by several detectors: cache per thread.
        cache: dict[str, Reading] | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        hit = cache.get(text)
        if hit is None:
            if len(cache) >= self.cache_size:
                cache.clear()
            hit = cache[text] = self._read(text)
        return hit

    def _read(self, text: str) -> Reading:
        kana: list[str] = []
        origin: list[int] = []
        ends: list[int] = []
        for start, end, reading, _, _ in self.morphemes(text):
            for ch in reading:
                kana.append(ch)
                origin.append(start)
                ends.append(end)
        return Reading("".join(kana), tuple(origin), tuple(ends))

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._local = threading.local()
        self.cache_size = int(state.get("cache_size", 4096))


def allowed_edits(key: str) -> int:
    """Edits a cue of this key length may differ by: none for short words (デンワ ≠ テンワ by chance)."""
    return 0 if len(key) < 4 else 1 if len(key) < 7 else 2


def fuzzy_find(haystack: str, needle: str, max_edits: int) -> list[tuple[int, int]]:
    """Spans of ``haystack`` within ``max_edits`` (Levenshtein) of ``needle`` (Sellers' algorithm)."""
    m = len(needle)
    if m == 0:
        return []
    prev = list(range(m + 1))  # column j - 1 of the edit table; row 0 is free (a match may start anywhere)
    prev_start = [0] * (m + 1)
    found: list[tuple[int, int]] = []
    for j, ch in enumerate(haystack, start=1):
        cur = [0] * (m + 1)
        cur_start = [j] * (m + 1)
        for i in range(1, m + 1):
            cur[i], cur_start[i] = min(
                (prev[i - 1] + (needle[i - 1] != ch), prev_start[i - 1]),
                (prev[i] + 1, prev_start[i]),
                (cur[i - 1] + 1, cur_start[i - 1]),
            )
        if cur[m] <= max_edits:
            if found and cur_start[m] < found[-1][1]:  # overlaps the previous match: one span
                found[-1] = (min(found[-1][0], cur_start[m]), j)
            else:
                found.append((cur_start[m], j))
        prev, prev_start = cur, cur_start
    return found


@lru_cache(maxsize=256)
def cue_keys(readings: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(phonetic_key(to_katakana(r))[0] for r in readings)


def sounds_like(reader: Reader, text: str, readings: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` (morpheme-aligned) that sound like one of the cue ``readings``."""
    if not text:
        return []
    reading = reader.read(text)
    key, where = phonetic_key(reading.kana)
    spans: list[tuple[int, int]] = []
    for cue in cue_keys(tuple(readings)):
        for s, e in fuzzy_find(key, cue, allowed_edits(cue)):
            if e > s:
                spans.append((reading.origin[where[s]], reading.ends[where[e - 1]]))
    return spans


def any_sounds_like(reader: Reader, texts: Iterable[str], readings: Sequence[str]) -> bool:
    return any(sounds_like(reader, t, readings) for t in texts)
