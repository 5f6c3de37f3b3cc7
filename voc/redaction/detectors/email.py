"""Email addresses, written (taro@example.com) or spoken (yamada アットマーク example ドット com)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

# Whisper writes a spoken address with commas or spaces between its words (「yamada、アットマーク、
# example、ドット、jp」) and may spell the local part in katakana or kanji (ヤマダ, 山田タロウ123).
_SP = r"[ \u3000、，,]{0,3}"
# Label characters exclude the joiners (. _ -) so that label/joiner splits are unambiguous, and every
# repetition is bounded, so scanning stays linear on long texts; katakana labels (ジーメール) may not
# swallow a spoken joiner. The local part may also hold kanji (no hiragana: は, の end it).
_SPOKEN_JOINERS = "アットマーク|アット|ドット|ハイフン|アンダーバー|アンダースコア"
_KATAKANA = rf"(?:(?!{_SPOKEN_JOINERS})[ァ-ヺー])"
_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９%+]{{1,64}}|{_KATAKANA}{{1,32}})"
_LOCAL_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９%+\u4e00-\u9fff々]|{_KATAKANA}){{1,64}}"
_DOT = r"(?:\.|．|ドット|どっと)"
_JOIN = rf"(?:{_DOT}|_|＿|-|－|‐|ハイフン|はいふん|アンダーバー|アンダースコア)"
_AT = r"(?:@|＠|アットマーク|あっとまーく|アット|あっと)"
EMAIL_RE = re.compile(
    rf"{_LOCAL_LABEL}(?:{_SP}{_JOIN}{_SP}{_LOCAL_LABEL}){{0,8}}{_SP}{_AT}{_SP}{_LABEL}"
    rf"(?:{_SP}{_DOT}{_SP}{_LABEL}){{1,8}}"
)
_AT_RE = re.compile(_AT)


def detect_emails(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    if _AT_RE.search(text) is None:  # the common case: no need to try the pattern at every position
        return []
    return [Detection(PiiType.EMAIL, m.start(), m.end()) for m in EMAIL_RE.finditer(text)]
