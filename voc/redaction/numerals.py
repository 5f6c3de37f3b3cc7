"""Japanese numbers as ASR writes them → ASCII digit strings, and a scanner for "digit runs".

Whisper writes a spoken number in any of: ASCII or full-width digits, kanji read digit by digit
(〇九〇), positional kanji (千二百三十四), katakana/hiragana readings (ゼロキューゼロ), and groups
joined by の, hyphens, spaces, 、 or dots. The scanner turns each number-like piece into a
:class:`NumeralToken` and chains tokens separated only by such separators into a :class:`DigitRun`,
keeping the character span of every piece so detectors can redact exactly what was said.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

TokenKind = Literal["digits", "positional", "reading"]

_KANJI_DIGITS: dict[str, str] = {
    "〇": "0", "零": "0", "○": "0", "◯": "0",
    "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
    "六": "6", "七": "7", "八": "8", "九": "9",
}  # fmt: skip
_SMALL_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS: dict[str, int] = {"億": 10**8, "万": 10**4}

# Positional grammar: section := [d]千 [d]百 [d]十 [d] (coefficients are one non-zero digit), and
# number := [coef 億] [coef 万] section. A coefficient of 万/億 may also be 1–4 ASCII digits (12万).
_D = "1-9１-９一二三四五六七八九"
_SEC = rf"(?:[{_D}]?千)?(?:[{_D}]?百)?(?:[{_D}]?十)?[{_D}]?"
_SEC_NONEMPTY = rf"(?=[{_D}十百千]){_SEC}"
_BIG_COEF = rf"(?:[0-9０-９]{{1,4}}|{_SEC_NONEMPTY})"
_POSITIONAL_RE = re.compile(rf"(?:{_BIG_COEF}億)?(?:{_BIG_COEF}万)?{_SEC}")
_POSITIONAL_CHARS = frozenset("十百千万億")

# Readings ASR produces when it spells a number out in kana. ー/ハイフン/ノ inside a katakana word
# are separators (ニー, ゴー are how 2 and 5 are drawn out when reading a phone number).
_KATAKANA_READINGS: dict[str, str] = {
    "ゼロ": "0", "レイ": "0", "マル": "0", "イチ": "1", "ニー": "2", "ニ": "2", "サン": "3", "ヨン": "4",
    "ヨ": "4", "シ": "4", "ゴー": "5", "ゴ": "5", "ロク": "6", "ナナ": "7", "シチ": "7", "ハチ": "8",
    "キュウ": "9", "キュー": "9", "ク": "9",
}  # fmt: skip
_KATAKANA_SEPARATORS = ("ー", "ハイフン", "ダッシュ", "ノ")
_HIRAGANA_READINGS: dict[str, str] = {
    "ぜろ": "0", "れい": "0", "まる": "0", "いち": "1", "に": "2", "さん": "3", "よん": "4",
    "し": "4", "ご": "5", "ろく": "6", "なな": "7", "しち": "7", "はち": "8",
    "きゅう": "9", "きゅー": "9", "く": "9",
}  # fmt: skip
_HIRAGANA_ORDER = sorted(_HIRAGANA_READINGS, key=len, reverse=True)
_KATAKANA_WORD_MAX = 64

# What may stand between two pieces of one spoken number: separators, short fillers, and the
# sentence-final です that ASR puts at the end of each chunk a caller reads out. Joining too much is
# harmless for recall because detectors look at every contiguous window of pieces.
_SEPARATOR = r"[ \t\r\n\u3000\-‐‑‒–—―−－ー﹣ｰ~〜～・･.．,，、。()（）]|の|ノ|ハイフン|はいふん|ダッシュ"
_FILLER = (
    r"えーっと|えーと|えっと|ええと|えー|ええ|あのー|あの|あー|うーん|まあ"
    r"|です(?:ね|か)?|で|ね|はい|続けて|つづけて|それから"
)
_GAP_RE = re.compile(rf"(?:{_SEPARATOR}|{_FILLER})*")
_SEPARATOR_GAP_RE = re.compile(rf"(?:{_SEPARATOR})*")
DEFAULT_MAX_GAP = 12


@dataclass(frozen=True, slots=True)
class NumeralToken:
    """One number-like piece of text: ``text[start:end]`` reads as ``digits``."""

    start: int
    end: int
    digits: str
    kind: TokenKind


@dataclass(frozen=True, slots=True)
class Window:
    """A contiguous slice ``groups[first:last + 1]`` of a run, with its span and digits."""

    start: int
    end: int
    digits: str
    first: int
    last: int


@dataclass(frozen=True, slots=True)
class DigitRun:
    """Number pieces separated only by separators: one number as it was said."""

    groups: tuple[NumeralToken, ...]
    # Indices i whose gap before groups[i] holds words (です, はい, えーと), not just separators:
    # a redaction stops and restarts there so those words stay in the transcript.
    word_breaks: frozenset[int] = frozenset()

    @property
    def start(self) -> int:
        return self.groups[0].start

    @property
    def end(self) -> int:
        return self.groups[-1].end

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)

    def pieces(self, first: int, last: int) -> list[tuple[int, int]]:
        """Spans of ``groups[first:last + 1]``, split at word breaks."""
        spans: list[tuple[int, int]] = []
        start = self.groups[first].start
        for i in range(first + 1, last + 1):
            if i in self.word_breaks:
                spans.append((start, self.groups[i - 1].end))
                start = self.groups[i].start
        spans.append((start, self.groups[last].end))
        return spans

    def windows(self, min_digits: int, max_digits: int) -> Iterator[Window]:
        """Every contiguous slice of groups whose digit count lies in [min_digits, max_digits]."""
        for first in range(len(self.groups)):
            digits = ""
            for last in range(first, len(self.groups)):
                digits += self.groups[last].digits
                if len(digits) > max_digits:
                    break
                if len(digits) >= min_digits:
                    yield Window(self.groups[first].start, self.groups[last].end, digits, first, last)


def _digit_value(ch: str) -> str | None:
    if ch in _KANJI_DIGITS:
        return _KANJI_DIGITS[ch]
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    return None


def _is_numeral_char(ch: str) -> bool:
    return ch in _POSITIONAL_CHARS or _digit_value(ch) is not None


def _section_value(section: str) -> int:
    value = 0
    digit: int | None = None
    for ch in section:
        if ch in _SMALL_UNITS:
            value += (1 if digit is None else digit) * _SMALL_UNITS[ch]
            digit = None
        else:
            d = _digit_value(ch)
            digit = (0 if digit is None else digit * 10) + int(d or "0")
    return value + (digit or 0)


def _positional_value(expr: str) -> int:
    total = 0
    rest = expr
    for unit, multiplier in _LARGE_UNITS.items():
        if unit in rest:
            head, rest = rest.split(unit, 1)
            total += _section_value(head) * multiplier
    return total + _section_value(rest)


def _tokenize_block(text: str, start: int, end: int) -> list[NumeralToken]:
    """Split a maximal run of numeral characters into digit-by-digit and positional tokens."""
    tokens: list[NumeralToken] = []
    pending_start = -1
    pending = ""
    i = start
    while i < end:
        m = _POSITIONAL_RE.match(text, i, end)
        if m and m.end() > i and not _POSITIONAL_CHARS.isdisjoint(m.group()):
            if pending:
                tokens.append(NumeralToken(pending_start, i, pending, "digits"))
                pending = ""
            tokens.append(NumeralToken(i, m.end(), str(_positional_value(m.group())), "positional"))
            i = m.end()
            continue
        d = _digit_value(text[i])
        if d is not None:
            if not pending:
                pending_start = i
            pending += d
        elif pending:  # a lone 万/億 (万が一) is not a number; it ends the digit piece
            tokens.append(NumeralToken(pending_start, i, pending, "digits"))
            pending = ""
        i += 1
    if pending:
        tokens.append(NumeralToken(pending_start, end, pending, "digits"))
    return tokens


def _is_katakana(ch: str) -> bool:
    return "\u30a1" <= ch <= "\u30fa" or ch == "ー"


def _decompose_katakana(word: str) -> list[tuple[int, int, str | None]] | None:
    """Split a katakana word entirely into digit readings and separators, or None (サンプル)."""
    if len(word) > _KATAKANA_WORD_MAX:
        return None
    elements: list[tuple[str, str | None]] = [*_KATAKANA_READINGS.items()]
    elements += [(sep, None) for sep in _KATAKANA_SEPARATORS]
    best: list[list[tuple[int, int, str | None]] | None] = [None] * (len(word) + 1)
    best[0] = []
    for i in range(len(word)):
        path = best[i]
        if path is None:
            continue
        for element, digit in elements:
            j = i + len(element)
            if j <= len(word) and best[j] is None and word.startswith(element, i):
                best[j] = [*path, (i, j, digit)]
    return best[len(word)]


def _katakana_tokens(text: str, start: int, end: int) -> list[NumeralToken]:
    word = text[start:end]
    parts = _decompose_katakana(word)
    if parts is None:
        # ASR glues a spelled-out number to the word before it (カードナンバーヨンイチイチイチ): take
        # the longest tail that is two or more readings.
        for cut in range(max(1, len(word) - _KATAKANA_WORD_MAX), len(word) - 1):
            tail = _decompose_katakana(word[cut:])
            if tail is not None and tail[0][2] is not None and sum(d is not None for *_, d in tail) >= 2:
                start += cut
                parts = tail
                break
        else:
            return []
    tokens: list[NumeralToken] = []
    for s, e, digit in parts:
        if digit is None:
            continue
        if tokens and tokens[-1].end == start + s:  # readings said back to back form one piece
            last = tokens[-1]
            tokens[-1] = NumeralToken(last.start, start + e, last.digits + digit, "reading")
        else:
            tokens.append(NumeralToken(start + s, start + e, digit, "reading"))
    return tokens


def _hiragana_token(text: str, start: int) -> tuple[NumeralToken | None, int]:
    """The reading sequence at ``start`` (or None) and where scanning resumes.

    Hiragana readings are accepted only as a sequence (いちにさん): alone they are words (さん, に).
    """
    i = start
    digits = ""
    long_readings = 0
    end = start
    while i < len(text):
        for reading in _HIRAGANA_ORDER:
            if text.startswith(reading, i):
                digits += _HIRAGANA_READINGS[reading]
                long_readings += len(reading) > 1
                i += len(reading)
                end = i
                break
        else:
            if text.startswith("ー", i) and digits:
                i += 1
                continue
            break
    if len(digits) >= 3 and long_readings >= 2:
        return NumeralToken(start, end, digits, "reading"), end
    # A later start inside a rejected sequence reads a suffix of it, rejected too.
    return None, max(end, start + 1)


def scan_numerals(text: str) -> list[NumeralToken]:
    """Every number-like piece of ``text``, in order, with its span and ASCII digits."""
    tokens: list[NumeralToken] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if _is_numeral_char(ch):
            j = i
            while j < n and _is_numeral_char(text[j]):
                j += 1
            tokens.extend(_tokenize_block(text, i, j))
            i = j
        elif _is_katakana(ch):
            j = i
            while j < n and _is_katakana(text[j]):
                j += 1
            tokens.extend(_katakana_tokens(text, i, j))
            i = j
        elif "\u3041" <= ch <= "\u3096":
            token, i = _hiragana_token(text, i)
            if token is not None:
                tokens.append(token)
        else:
            i += 1
    return tokens


def scan_digit_runs(text: str, *, max_gap: int = DEFAULT_MAX_GAP) -> list[DigitRun]:
    """Chain the number pieces of ``text`` that are separated only by separators/fillers."""
    runs: list[DigitRun] = []
    current: list[NumeralToken] = []
    breaks: set[int] = set()
    for token in scan_numerals(text):
        if current:
            gap = text[current[-1].end : token.start]
            if len(gap) > max_gap or _GAP_RE.fullmatch(gap) is None:
                runs.append(DigitRun(tuple(current), frozenset(breaks)))
                current = []
                breaks = set()
            elif _SEPARATOR_GAP_RE.fullmatch(gap) is None:
                breaks.add(len(current))
        current.append(token)
    if current:
        runs.append(DigitRun(tuple(current), frozenset(breaks)))
    return runs


def to_digits(text: str) -> str | None:
    """The digits ``text`` reads as when it is one number in any supported form, else None.

    >>> to_digits("九千八百"), to_digits("〇九〇の一二三四"), to_digits("ゼロキュー")
    ('9800', '0901234', '09')
    """
    runs = scan_digit_runs(text)
    if len(runs) != 1 or runs[0].start != 0 or runs[0].end != len(text):
        return None
    return runs[0].digits


def normalize_digits(text: str) -> str:
    """``text`` with every number piece rewritten as ASCII digits (separators are kept)."""
    out: list[str] = []
    pos = 0
    for token in scan_numerals(text):
        out.append(text[pos : token.start])
        out.append(token.digits)
        pos = token.end
    out.append(text[pos:])
    return "".join(out)
