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
_SPOKEN_JOINERS = "アットマーク|アット|ドット|ドッド|ハイフン|アンダーバー|アンダースコア"
_KATAKANA = rf"(?:(?!{_SPOKEN_JOINERS})[ァ-ヺー])"
_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９%+]{{1,64}}|{_KATAKANA}{{1,32}})"
_LOCAL_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９%+\u4e00-\u9fff々]|{_KATAKANA}){{1,64}}"
_DOT = r"(?:\.|．|ドット|ドッド|どっと|(?i:dot))"
_JOIN = rf"(?:{_DOT}|_|＿|-|－|‐|ハイフン|はいふん|アンダーバー|アンダースコア)"
_AT = r"(?:@|＠|アットマーク|あっとまーく|アット|あっと)"
EMAIL_RE = re.compile(
    rf"{_LOCAL_LABEL}(?:{_SP}{_JOIN}{_SP}{_LOCAL_LABEL}){{0,8}}{_SP}{_AT}{_SP}{_LABEL}"
    rf"(?:{_SP}{_DOT}{_SP}{_LABEL}){{1,8}}"
)
_AT_RE = re.compile(_AT)


# Spoken: the at-mark said as a word (アット only before a pause: アットホーム is a word), then the domain
# labels, dotted as Whisper writes them (ドット, ドッド, DOT, .), possibly in kanji (ヤフドッド使用ドッドJP).
_SPOKEN_AT_RE = re.compile(r"アットマーク|あっとまーく|アット(?=[ \u3000、，,])|あっと(?=[ \u3000、，,])")
_DOMAIN_LABEL = rf"(?:[A-Za-z0-9Ａ-Ｚａ-ｚ０-９\-－]|{_KATAKANA}|[\u4e00-\u9fff々]){{1,32}}"
_SPOKEN_DOMAIN_RE = re.compile(
    rf"{_SP}{_DOMAIN_LABEL}(?:{_SP}{_DOT}{_SP}{_DOMAIN_LABEL}){{0,8}}(?:{_SP}{_DOT})?"
)
# The local part before a spoken at-mark is what was said since the cue (メールアドレスは), a filler
# (はい、えっと) or the start of the sentence, over at most a few pauses.
_LOCAL_STOP_RE = re.compile(
    r"(?:アドレス|メアド|メール|アカウント|ID)\s*(?:は|が|を|:|：)|(?:^|[、,，\s])(?:はい|ハイ|えっと|えーと|えー|あの)(?=[、,，\s]|$)"
    r"|[。.!?！？\n\u2029「」]"
)
_LOCAL_MAX_CHARS = 40


def _spoken(text: str) -> list[Detection]:
    found: list[Detection] = []
    for at in _SPOKEN_AT_RE.finditer(text):
        domain = _SPOKEN_DOMAIN_RE.match(text, at.end())
        if domain is None:
            continue
        window_start = max(0, at.start() - _LOCAL_MAX_CHARS)
        start = window_start
        for stop in _LOCAL_STOP_RE.finditer(text, window_start, at.start()):
            start = stop.end()
        while start < at.start() and text[start] in " \u3000、，,":
            start += 1
        if start < at.start():
            found.append(Detection(PiiType.EMAIL, start, domain.end()))
    return found


def detect_emails(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    if _AT_RE.search(text) is None:  # the common case: no need to try the pattern at every position
        return []
    found = [Detection(PiiType.EMAIL, m.start(), m.end()) for m in EMAIL_RE.finditer(text)]
    return found + _spoken(text)
