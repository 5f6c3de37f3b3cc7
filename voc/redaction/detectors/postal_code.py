"""Postal codes: 〒123-4567, 郵便番号は1234567 / 一二三の四五六七, or 123-4567 right before an address."""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import PREFECTURE_PATTERN, is_quantity, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(r"郵便番号|ゆうびんばんごう|ゆうびん|〒|郵便|ポストコード|(?i:zip)")
READINGS = ("ユウビンバンゴウ",)
_ADDRESS_AFTER_RE = re.compile(rf"[ \u3000、,]*(?:{PREFECTURE_PATTERN})")


def detect_postal_codes(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    for run in runs:
        cued = ctx.near(CONTEXT_RE, run.start, run.end)
        # After the cue, one digit more or less is still the code: Whisper drops and repeats digits.
        for w in run.windows(6 if cued else 7, 8 if cued else 7):
            if is_quantity(text, w.start, w.end):
                continue
            shaped = w.last == w.first + 1 and len(run.groups[w.first].digits) == 3
            if (cued and (len(w.digits) == 7 or len(w.digits) == len(run.digits))) or (
                len(w.digits) == 7 and shaped and _ADDRESS_AFTER_RE.match(text, w.end)
            ):
                found.extend(window_detections(PiiType.POSTAL_CODE, run, w))
    return found
