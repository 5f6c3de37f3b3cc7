"""Dates of birth: a date (西暦, 和暦, 1980/3/12, kanji numerals) near a birth cue.

A date alone may be a contract or payment date, so a cue is required: 生年月日/誕生日/生まれ before
it (possibly in the operator's preceding question) or 生まれ right after it. A bare year counts
only when it is unmistakably a year (an era name or four digits: 昭和55年生まれ, 1980年生まれ).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

# 〜月日 after one or two kanji: how Whisper writes 生年月日 when it mishears it (青年月日, 正念月日).
CONTEXT_RE = re.compile(
    r"生年月日|誕生日|生まれ|うまれ|まれ(?:です|で|の)|生年|たんじょうび|せいねんがっぴ|セイネンガッピ"
    r"|[\u4e00-\u9fff]{1,2}月日"
    r"|(?i:birth)"
)
# セイネン alone too: Whisper keeps the sound of 生年 and changes the rest (青年学び, 青年月日).
READINGS = ("セイネンガッピ", "タンジョウビ", "セイネン")

_NUM = r"[0-9０-９〇零一二三四五六七八九十百千]{1,8}"
_S = r"[ \u3000]*"
# Whisper puts commas between a date's parts (1985年、4月12日): they do not end it.
_C = r"[ \u3000、，,]*"
_OF = rf"{_C}(?:の{_C})?"
_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR]|[ＭＴＳＨＲ])"
_YEAR = rf"(?:(?:西暦{_S})?{_NUM}{_S}年|{_ERA}{_S}(?:{_NUM}|元){_S}年)"
_STRICT_YEAR = (
    rf"(?:(?:西暦{_S})?(?:[0-9０-９]{{4}}|[〇零一二三四五六七八九]{{4}}|千九百{_NUM}|二千{_NUM}?){_S}年"
    rf"|{_ERA}{_S}(?:{_NUM}|元){_S}年)"
)
_MONTH = rf"{_NUM}{_S}月"
_DAY = rf"{_NUM}{_S}日"
_SEP = r"[/／.．\-－]"
_DIG = r"[0-9０-９]"
_NUMERIC = rf"(?:{_ERA}{_S})?{_DIG}{{1,4}}{_S}{_SEP}{_S}{_DIG}{{1,2}}{_S}{_SEP}{_S}{_DIG}{{1,2}}(?!{_DIG})"
DATE_RE = re.compile(
    rf"{_YEAR}{_OF}{_MONTH}{_OF}{_DAY}|{_STRICT_YEAR}{_OF}{_MONTH}|{_STRICT_YEAR}|{_MONTH}{_OF}{_DAY}|{_NUMERIC}"
)


# A year this recent is a contract or payment date said after the birth date, not a customer's birth.
RECENT_YEARS = 10
_WESTERN_YEAR_RE = re.compile(r"(?<![0-9０-９])([12１２][0-9０-９]{3})[ \u3000]*年")


def _recent(date: str) -> bool:
    m = _WESTERN_YEAR_RE.match(unicodedata.normalize("NFKC", date))
    return m is not None and int(m.group(1)) > datetime.date.today().year - RECENT_YEARS


def detect_birth_dates(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    # A month and day alone (3月12日) is a birth date only right after its cue (this segment or the
    # question before it); further on it is more likely a billing or call date.
    close = dataclasses.replace(ctx, max_segments_before=min(1, ctx.max_segments_before))
    found = [
        Detection(PiiType.BIRTH_DATE, m.start(), m.end())
        for m in DATE_RE.finditer(text)
        if not _recent(m.group())
        and (ctx if "年" in m.group() else close).near(CONTEXT_RE, m.start(), m.end())
    ]
    # Dates said as bare numbers: 19800312, 1980 3 12, 1980の03の12.
    for run in runs:
        if ctx.near(CONTEXT_RE, run.start, run.end):
            for w in run.windows(6, 8):
                if _is_numeric_date([g.digits for g in run.groups[w.first : w.last + 1]]):
                    found.extend(window_detections(PiiType.BIRTH_DATE, run, w))
    return found


def _is_numeric_date(groups: list[str]) -> bool:
    if len(groups) == 1 and len(groups[0]) == 8:
        groups = [groups[0][:4], groups[0][4:6], groups[0][6:]]
    if len(groups) != 3 or len(groups[0]) != 4 or not all(1 <= len(g) <= 2 for g in groups[1:]):
        return False
    year, month, day = (int(g) for g in groups)
    return 1900 <= year <= 2099 and 1 <= month <= 12 and 1 <= day <= 31
