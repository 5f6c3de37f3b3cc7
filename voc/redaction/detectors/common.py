"""Pieces shared by the detectors: the detector signature, quantity units, prefecture names."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from voc.redaction.context import ContextWindow
from voc.redaction.numerals import DigitRun, Window
from voc.redaction.pii import Detection, PiiType

Detector = Callable[[str, Sequence[DigitRun], ContextWindow], list[Detection]]

# A number followed by one of these is a quantity (price, duration, count, data size), never an
# identifier: 月額9800円, 2年契約, 5GB, 20パーセント, 10時30分, 3回, 裏の3桁.
_UNIT_AFTER_RE = re.compile(
    r"[ \u3000]*(?:円|万|億|ドル|ユーロ|パーセント|％|%|ギガ|メガ|テラ|キロ|[GMTK]B|[ＧＭＴＫ]Ｂ|km|kg"
    r"|周年|年|か月|カ月|ヶ月|ケ月|ヵ月|箇月|月|日|時|分|秒|週|泊|回|件|個|歳|才|枚|本|台|人|名|桁"
    r"|倍|割|点|位|番目|階|度|期)"
)
_MONEY_BEFORE_RE = re.compile(r"(?:[¥￥$＄]|月額|年額|税込み?|税抜き?|約|第)[ \u3000]*$")

PREFECTURES: tuple[str, ...] = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県",
    "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県",
    "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府",
    "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
    "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県",
    "鹿児島県", "沖縄県",
)  # fmt: skip
PREFECTURE_PATTERN = "|".join(PREFECTURES)


def is_quantity(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is followed by a unit or preceded by a money marker."""
    return (
        _UNIT_AFTER_RE.match(text, end) is not None
        or _MONEY_BEFORE_RE.search(text, max(0, start - 8), start) is not None
    )


def window_detections(
    pii_type: PiiType, run: DigitRun, window: Window, *, start: int | None = None
) -> list[Detection]:
    """Detections covering ``window``, one per piece between word breaks (です, はい stay)."""
    pieces = run.pieces(window.first, window.last)
    if start is not None:
        pieces[0] = (start, pieces[0][1])
    return [Detection(pii_type, s, e) for s, e in pieces]


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    total = 0
    for index, ch in enumerate(reversed(digits)):
        d = int(ch)
        if index % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
