"""Bank account numbers (口座番号), recognised by context.

A Japanese account number is 7 digits (ゆうちょ銀行: a 5-digit 記号 and an 8-digit 番号). Such a
number is everyday talk (contract and order numbers) unless an account cue is near, possibly in the
previous segments: the operator asks 「口座番号をお願いします」, the customer answers 「1234567です」.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import is_quantity, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(
    r"口座|こうざ|普通預金|当座預金|貯金|記号番号|(?:引き?落とし|振込|振り込み)先|(?i:account\s*(?:number|no\.?))"
)

READINGS = ("コウザバンゴウ", "フツウヨキン", "トウザヨキン")


def detect_bank_accounts(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    for run in runs:
        if not ctx.near(CONTEXT_RE, run.start, run.end):
            continue
        for w in run.windows(5, 8):
            # Six digits only as a whole number (a 7-digit account Whisper dropped a digit of), never
            # a slice of a longer one.
            whole = w.first == 0 and w.last == len(run.groups) - 1
            if (len(w.digits) != 6 or whole) and not is_quantity(text, w.start, w.end):
                found.extend(window_detections(PiiType.BANK_ACCOUNT, run, w))
    return found
