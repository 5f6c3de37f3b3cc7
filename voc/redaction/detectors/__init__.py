"""One detector per PII type; each maps (text, digit runs, context) to spans."""

from __future__ import annotations

import re

from voc.redaction.detectors import (
    bank_account,
    birth_date,
    card,
    my_number,
    phone,
    postal_code,
    security_code,
)
from voc.redaction.detectors.address import detect_addresses
from voc.redaction.detectors.bank_account import detect_bank_accounts
from voc.redaction.detectors.birth_date import detect_birth_dates
from voc.redaction.detectors.card import detect_cards
from voc.redaction.detectors.common import Detector, luhn_valid
from voc.redaction.detectors.email import detect_emails
from voc.redaction.detectors.my_number import detect_my_numbers
from voc.redaction.detectors.phone import detect_phones, is_japanese_phone
from voc.redaction.detectors.postal_code import detect_postal_codes
from voc.redaction.detectors.security_code import detect_security_codes
from voc.redaction.pii import PiiType

DETECTORS: dict[PiiType, Detector] = {
    PiiType.PHONE: detect_phones,
    PiiType.CARD: detect_cards,
    PiiType.SECURITY_CODE: detect_security_codes,
    PiiType.EMAIL: detect_emails,
    PiiType.POSTAL_CODE: detect_postal_codes,
    PiiType.ADDRESS: detect_addresses,
    PiiType.BIRTH_DATE: detect_birth_dates,
    PiiType.MY_NUMBER: detect_my_numbers,
    PiiType.BANK_ACCOUNT: detect_bank_accounts,
}

#: Each detector's cue pattern and the readings it is also matched by (misheard cues).
CUE_READINGS: dict[re.Pattern[str], tuple[str, ...]] = {
    m.CONTEXT_RE: m.READINGS
    for m in (bank_account, birth_date, card, my_number, phone, postal_code, security_code)
} | {phone.STRONG_CONTEXT_RE: phone.READINGS}

__all__ = [
    "CUE_READINGS",
    "DETECTORS",
    "Detector",
    "detect_addresses",
    "detect_bank_accounts",
    "detect_birth_dates",
    "detect_cards",
    "detect_emails",
    "detect_my_numbers",
    "detect_phones",
    "detect_postal_codes",
    "detect_security_codes",
    "is_japanese_phone",
    "luhn_valid",
]
