"""Email addresses, written (taro@example.com) or spoken (yamada アットマーク example ドット com)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

_SP = r"[ \u3000]{0,3}"
# Label characters exclude the joiners (. _ -) so that label/joiner splits are unambiguous, and every
# repetition is bounded, so scanning stays linear on long texts; katakana labels (ジーメール) may not
# swallow a spoken joiner.
_SPOKEN_JOINERS = "アットマーク|アット|ドット|ハイフン|アンダーバー|アンダースコア"
_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９%+]{{1,64}}|(?:(?!{_SPOKEN_JOINERS})[ァ-ヺー]){{1,32}})"
_DOT = r"(?:\.|．|ドット|どっと)"
_JOIN = rf"(?:{_DOT}|_|＿|-|－|‐|ハイフン|はいふん|アンダーバー|アンダースコア)"
_AT = r"(?:@|＠|アットマーク|あっとまーく|アット|あっと)"
EMAIL_RE = re.compile(
    rf"{_LABEL}(?:{_SP}{_JOIN}{_SP}{_LABEL}){{0,8}}{_SP}{_AT}{_SP}{_LABEL}(?:{_SP}{_DOT}{_SP}{_LABEL}){{1,8}}"
)
_AT_RE = re.compile(_AT)


def detect_emails(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    if _AT_RE.search(text) is None:  # the common case: no need to try the pattern at every position
        return []
    return [Detection(PiiType.EMAIL, m.start(), m.end()) for m in EMAIL_RE.finditer(text)]
