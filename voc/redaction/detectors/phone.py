"""Japanese phone numbers: mobiles (0X0-XXXX-XXXX), landlines, 0120/0800/0570, +81 forms."""

from __future__ import annotations

import re
from collections.abc import Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.detectors.common import is_quantity, window_detections
from voc.redaction.numerals import DigitRun
from voc.redaction.pii import Detection, PiiType

CONTEXT_RE = re.compile(
    r"電話|でんわ|携帯|市外局番|ケータイ|けいたい|連絡先|TEL|Tel|tel|ＴＥＬ|FAX|Fax|ファックス|ファクス|コールバック|折り返し"
)
# A request for "the number" (電話番号, 連絡先, 折り返し, or a bare 番号 — which is often what is left of
# お電話番号 after Whisper: お店は番号) makes every 4+ digit piece that follows a phone number's part:
# Whisper breaks a number read digit by digit into fragments (0号388の / 824です) and mishears digits.
# A 番号 qualified by a word before it (お客様番号, 請求番号, 注文番号) is a business reference, not this.
STRONG_CONTEXT_RE = re.compile(
    r"(?:電話|でんわ|携帯|ケータイ|けいたい|自宅|連絡先)[^。\n\u2029]{0,4}?(?:番号|ばんごう|ナンバー)"
    r"|(?<![\u4e00-\u9fff々ァ-ヺー])(?:番号|ばんごう)|連絡先|折り返し|折返し|おりかえし|携帯|ケータイ"
)
READINGS = ("デンワバンゴウ", "ケイタイバンゴウ", "レンラクサキ", "オリカエシ")
_PLUS_RE = re.compile(r"(?:\+|＋|プラス)[ \u3000]*$")
CHUNK_MIN_DIGITS = 4
_UNIT_RIGHT_AFTER_RE = re.compile(r"(?:円|分|秒|時|日|月|年|回|件|人|歳|才|ギガ|GB|％|%|パーセント)")
_ELEVEN_DIGIT_PREFIXES = ("020", "050", "060", "070", "080", "090", "0800")


def is_japanese_phone(digits: str) -> bool:
    """Whether ``digits`` has the length and prefix of a domestic Japanese number."""
    if len(digits) == 11:
        return digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    # Landlines (0X-XXXX-XXXX … 0XXXX-X-XXXX), 0120/0570 (10 digits).
    return len(digits) == 10 and digits[0] == "0" and digits[1] != "0"


def _international_start(text: str, start: int, digits: str) -> int | None:
    """Start of a '+81…' number whose digits begin at ``start``, else None."""
    plus = _PLUS_RE.search(text, max(0, start - 8), start)
    if plus is None or not digits.startswith("81"):
        return None
    national = digits[2:]
    national = national if national.startswith("0") else "0" + national  # +81 (0)90… or +81 90…
    return plus.start() if is_japanese_phone(national) else None


def detect_phones(text: str, runs: Sequence[DigitRun], ctx: ContextWindow) -> list[Detection]:
    found: list[Detection] = []
    said: list[tuple[int, str]] = []  # (end, digits) of the phone numbers found so far
    for run in runs:
        strong = ctx.near(STRONG_CONTEXT_RE, run.start, run.end)
        cued = strong or ctx.near(CONTEXT_RE, run.start, run.end)
        # Part of a number just given, read back or repeated (「090の1234ですね」), is still it.
        recent = [digits for end, digits in said if end >= ctx.window_start(run.start)]
        for w in run.windows(CHUNK_MIN_DIGITS if recent or strong else 9, 13):
            if _UNIT_RIGHT_AFTER_RE.match(text, w.end):  # a number running into "40分" ends before it
                continue
            intl = _international_start(text, w.start, w.digits)
            if intl is not None:
                found.extend(window_detections(PiiType.PHONE, run, w, start=intl))
            elif (
                is_japanese_phone(w.digits)
                # After 電話番号 a number with a digit lost or gained by ASR is still a phone number.
                or (cued and 9 <= len(w.digits) <= 12)
                or (strong and not is_quantity(text, w.start, w.end))
                or (any(w.digits in digits for digits in recent) and not is_quantity(text, w.start, w.end))
            ):
                found.extend(window_detections(PiiType.PHONE, run, w))
            else:
                continue
            said.append((w.end, w.digits))
    return found
