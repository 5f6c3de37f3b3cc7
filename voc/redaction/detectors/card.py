"""Payment card numbers (PAN): 13–19 digits in any spoken form.

Policy: a 13–19 digit number is a card number when it passes the Luhn check, wherever it is said.
After a card-number cue (カード番号, クレジットカードの番号, card number…) any 12–19 digit number is
redacted as a card number even when it fails Luhn: ASR often drops, adds or mishears one digit of a
real card number, and the remaining digits are still card data (PCI DSS). Without such a cue a
non-Luhn number (請求番号, お客様番号) stays: it is a reference the business needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import luhn_valid
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(
    r"(?:カード|クレジット|クレカ|かーど)\s*(?:の\s*)?(?:番号|ばんごう|ナンバー)|券面|(?i:card\s*(?:number|no\.?))"
)


def detect_cards(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    for run in runs:
        # A cue near the spoken number counts for every slice of it.
        cued = ctx.near(CONTEXT_RE, run.start, run.end)
        for w in run.windows(12, 19):
            if cued or (len(w.digits) >= 13 and luhn_valid(w.digits)):
                found.append(Detection(PiiType.CARD, w.start, w.end))
    return found
