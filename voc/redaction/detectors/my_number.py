"""My Number (個人番号): the 12-digit national identification number, in any spoken form.

Policy:

* Near a cue (マイナンバー, 個人番号, my number) every number of 4 to 12 digits is redacted, check
  digit or not: speech recognition drops and mishears digits, and the number is said in chunks.
* Without a cue, a number of exactly 12 digits whose last digit is the My Number check digit is
  redacted too: that holds for one 12-digit number in eleven, and an over-redacted reference number
  costs less than a leaked identity number (番号法 restricts even storing it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import is_quantity, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(r"マイ\s*ナンバー|まいなんばー|個人番号|(?i:my\s*number)")
READINGS = ("マイナンバー", "コジンバンゴウ")
DIGITS = 12
CHUNK_MIN_DIGITS = 4


def check_digit(first_11: str) -> int:
    """The check digit of a My Number (総務省令 第5条): weights 2–7, 2–6 from the right, mod 11."""
    total = 0
    for n, ch in enumerate(reversed(first_11), start=1):
        total += int(ch) * (n + 1 if n <= 6 else n - 5)
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_my_number(digits: str) -> bool:
    return len(digits) == DIGITS and digits.isdigit() and check_digit(digits[:-1]) == int(digits[-1])


def detect_my_numbers(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    for run in runs:
        cued = ctx.near(CONTEXT_RE, run.start, run.end)
        if not cued and not is_my_number(run.digits):
            continue
        # After the cue every chunk of 4+ digits is part of it: Whisper drops digits of a number read
        # out in groups (2134の丸721の681温), and a 10-digit remainder is still the person's number.
        for w in run.windows(CHUNK_MIN_DIGITS if cued else DIGITS, DIGITS):
            if not is_quantity(text, w.start, w.end):
                found.extend(window_detections(PiiType.MY_NUMBER, run, w))
    return found
