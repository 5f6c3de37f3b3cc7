"""Payment card numbers (PAN): 13–19 digits in any spoken form.

Policy:

* A 13–19 digit number passing the Luhn check is a card number wherever it is said.
* Near a card-number cue (カード番号, クレジットカードの番号, card number…) every number of 4 or
  more digits that is not a quantity is redacted as card data, Luhn or not: ASR drops, adds or
  mishears digits of a real card number, and callers read the number in chunks (4111の1111…)
  interleaved with the operator's read-back, each chunk still card data under PCI DSS.
* A number within the context window after a detected card number (the next chunk, the read-back)
  counts as cued too, so a chunked reading is followed beyond the cue's own window.
* Without a cue, a 16-digit number failing Luhn (請求番号, お客様番号) stays: it is a reference the
  business needs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import is_quantity, luhn_valid, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(
    r"(?:カード|クレジット|クレカ|かーど)\s*(?:の\s*)?(?:番号|ばんごう|ナンバー)|券面|(?i:card\s*(?:number|no\.?))"
)
#: How the cues sound, for Whisper's homophones (クレジッドカード, カード晩号).
READINGS = ("カードバンゴウ", "クレジットカード", "カードナンバー")
CHUNK_MIN_DIGITS = 4


def detect_cards(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    last_card_end = -1
    for run in runs:
        cued = ctx.near(CONTEXT_RE, run.start, run.end) or (
            last_card_end >= 0 and ctx.window_start(run.start) <= last_card_end
        )
        hit = False
        for w in run.windows(CHUNK_MIN_DIGITS if cued else 13, 19):
            if (len(w.digits) >= 13 and luhn_valid(w.digits)) or (
                cued and not is_quantity(text, w.start, w.end)
            ):
                found.extend(window_detections(PiiType.CARD, run, w))
                hit = True
        if hit:
            last_card_end = run.end
    return found
