"""Japanese phone numbers in any written or spoken form, normalised to E.164 (+81…).

Covers 03-5678-9012, (03)5678-9012, 090の1234の5678, +81 90-1234-5678, 0081…, full-width digits and
kanji digits read one by one (〇九〇…), which is how callers and ASR write them.
"""

from __future__ import annotations

import re
import unicodedata

from voc.errors import InvalidInputError

_KANJI_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―ー－().（）の・]")
_DOMESTIC = re.compile(r"0\d{9,10}")
RAW_MAX = 64  # the stored written form (customer_phones.raw)


def normalise_phone(raw: str) -> str | None:
    """E.164 for a Japanese number (``+81…``), another country's ``+`` number as given, else ``None``."""
    text = unicodedata.normalize("NFKC", raw).translate(_KANJI_DIGITS)
    text = _SEPARATORS.sub("", text.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if text.startswith("+"):
        digits = text[1:]
        if not digits.isdigit() or not 8 <= len(digits) <= 15:
            return None
        if digits.startswith("81"):
            national = digits[2:].removeprefix("0")
            return f"+81{national}" if len(national) in (9, 10) else None
        return f"+{digits}"
    if _DOMESTIC.fullmatch(text):
        return f"+81{text[1:]}"
    return None


def split_phones(field: str) -> list[str]:
    """A CRM cell may hold several numbers separated by ``;``, ``,``, ``/`` or ``、``."""
    return [part.strip() for part in re.split(r"[;,/、；，]", field) if part.strip()]


def phone_numbers(raws: list[str]) -> dict[str, str]:
    """E.164 → the form the CRM wrote, for a customer's numbers; the same number twice is one entry (its
    last form). An unreadable number is an error naming it: a customer is stored with all numbers or none."""
    numbers: dict[str, str] = {}
    for raw in raws:
        number = normalise_phone(raw)
        if number is None or len(raw) > RAW_MAX:
            raise InvalidInputError(f"電話番号を解釈できません: {raw!r}")
        numbers[number] = raw
    return numbers
