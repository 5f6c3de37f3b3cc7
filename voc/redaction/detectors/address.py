"""Street addresses: prefecture and/or municipality, town, then the block number.

The span runs from the prefecture (or the municipality when no prefecture is said) through the
block number (四丁目2番8号, 4-2-8, 4の2の8, 123番地, 301号室). A prefecture or city alone
(東京都に住んでいます) is not an address and stays.

After an address cue (住所は, 送り先は, お住まいは — also as it sounds: Whisper writes お繰り先, スマイ)
the span runs from the cue's particle through the block number even when Whisper garbled the names
before it (最たまけん最たまし…3の14の3): what follows 住所は up to its block number is the address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import PREFECTURE_PATTERN
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType
from voc.redaction.reading import sounds_like

_NUM = r"[0-9０-９〇零一二三四五六七八九十百千]{1,8}"
_UNIT = r"(?:丁目|番地|番|号室|号|階)"
_HYPHEN = r"[-‐－ー−―の.．]"
_MUNICIPALITY = r"[\u4e00-\u9fff々ヶケヵ]{1,6}?(?:市|区|町|村|郡)"
# Speech recognition puts commas and spaces between the parts (東京都、世田谷区、桜新町、1丁目…):
# they do not end an address; a full stop does.
_BODY = r"[^。!！?？「」『』()（）]{0,25}?"
# The first number needs a unit or a hyphenated second number (千代田 is a town, not 千).
# Between the block numbers too (1丁目、2番地、3号): a comma does not end the tail.
_GAP = r"[ \u3000、，,]*"
_TAIL = (
    rf"{_NUM}[ \u3000]*(?:{_UNIT}|{_HYPHEN}[ \u3000]*(?={_NUM}))"
    rf"(?:(?:{_GAP}{_HYPHEN}[ \u3000]*|(?<=[目地番号室階]){_GAP}|{_GAP}(?={_NUM}[ \u3000]*{_UNIT}))?"
    rf"{_NUM}(?:[ \u3000]*{_UNIT})?)*"
)
# …and the number must not be a quantity (地区の2-3件).
_NOT_QUANTITY = r"(?![0-9０-９]|[,，][0-9０-９]|件|日|月|年|回|円|割|人|個|時|分|秒|％|%|パーセント|倍|歳|才)"
_START = rf"(?:(?:{PREFECTURE_PATTERN})[ \u3000]*(?:{_MUNICIPALITY})?|{_MUNICIPALITY})"
ADDRESS_RE = re.compile(rf"{_START}{_BODY}{_TAIL}{_NOT_QUANTITY}")


CONTEXT_RE = re.compile(r"住所|じゅうしょ|送り先|おくり先|届け先|とどけ先|住まい|すまい|所在地")
READINGS = ("ジュウショ", "オクリサキ", "オトドケサキ", "スマイ")
_AFTER_CUE_RE = re.compile(r"[ \u3000]*(?:は|が|を|:|：|も)?[ \u3000、，,]*")
_CUED_TAIL_RE = re.compile(rf"[^。!！?？\n\u2029]{{0,30}}?{_TAIL}{_NOT_QUANTITY}")
_TAIL_RE = re.compile(_TAIL)


def _cue_ends(text: str, ctx: ContextWindow) -> list[int]:
    ends = [m.end() for m in CONTEXT_RE.finditer(text)]
    if ctx.reader is not None:
        ends += [e for _, e in sounds_like(ctx.reader, text, READINGS)]
    return sorted(set(ends))


def detect_addresses(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found = [Detection(PiiType.ADDRESS, m.start(), m.end()) for m in ADDRESS_RE.finditer(text)]
    if _TAIL_RE.search(text) is None:
        return found
    for end in _cue_ends(text, ctx):
        after = _AFTER_CUE_RE.match(text, end)
        start = after.end() if after else end
        tail = _CUED_TAIL_RE.match(text, start)
        if tail is not None and tail.end() > start:
            found.append(Detection(PiiType.ADDRESS, start, tail.end()))
    return found
