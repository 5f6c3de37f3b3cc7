"""Card security codes (CVV/CVC, 3–4 digits) and card PINs (暗証番号), recognised by context.

A 3–4 digit number is everyday talk (3980円, 123番) unless a cue is near: the cue may be in the
previous segments (the operator asks 「セキュリティコードをお願いします」, the customer answers
「123です」). PINs share the placeholder: both are sensitive authentication data under PCI DSS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import is_quantity, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(
    r"セキュリティ[ー－]?\s*(?:コード|番号|ナンバー)|せきゅりてぃ|(?i:CV[VC]2?|CID|security\s*code)"
    r"|ＣＶ[ＶＣ]|裏面|裏側|裏の|うらの|(?:[3３三4４四]|サン|さん|ヨン|よん)(?:桁|ケタ|けた)の(?:番号|数字|コード)|暗証番号|ピン(?:番号|コード)|PIN"
)
READINGS = ("セキュリティコード", "セキュリティーコード", "アンショウバンゴウ")
_ALNUM_BEFORE_RE = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]$")


def detect_security_codes(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    for run in runs:
        if not ctx.near(CONTEXT_RE, run.start, run.end):
            continue
        for w in run.windows(3, 4):
            if (
                not is_quantity(text, w.start, w.end)
                and _ALNUM_BEFORE_RE.search(text, max(0, w.start - 1), w.start) is None  # the 2 of CVV2
            ):
                found.extend(window_detections(PiiType.SECURITY_CODE, run, w))
    return found
