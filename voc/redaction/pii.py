"""The PII types we redact, their placeholders, and the span records a redaction produces."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PiiType(StrEnum):
    PHONE = "phone"
    CARD = "card"
    SECURITY_CODE = "security_code"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    BIRTH_DATE = "birth_date"
    MY_NUMBER = "my_number"
    BANK_ACCOUNT = "bank_account"
    NAME = "name"


# Full-width brackets so a placeholder can never be mistaken for text the caller wrote, and so it
# tokenises as one symbol-wrapped noun downstream.
PLACEHOLDERS: dict[PiiType, str] = {
    PiiType.PHONE: "［電話番号］",
    PiiType.CARD: "［カード番号］",
    PiiType.SECURITY_CODE: "［セキュリティコード］",
    PiiType.EMAIL: "［メールアドレス］",
    PiiType.POSTAL_CODE: "［郵便番号］",
    PiiType.ADDRESS: "［住所］",
    PiiType.BIRTH_DATE: "［生年月日］",
    PiiType.MY_NUMBER: "［個人番号］",
    PiiType.BANK_ACCOUNT: "［口座番号］",
    PiiType.NAME: "［氏名］",
}

ALL_TYPES: frozenset[PiiType] = frozenset(PiiType)

# When detections of different types overlap, the longest names the merged span; ties go to the
# earlier type here, the more specific reading of the same digits: the card detector also claims
# every 4+ digit number near a card-number cue, so after カード番号 a 3–4 digit number after
# セキュリティコード is still a code, 090… still a phone, 〒105-0011 still a postal code.
PRIORITY: tuple[PiiType, ...] = (
    PiiType.SECURITY_CODE,
    PiiType.BANK_ACCOUNT,
    PiiType.MY_NUMBER,
    PiiType.PHONE,
    PiiType.POSTAL_CODE,
    PiiType.BIRTH_DATE,
    PiiType.EMAIL,
    PiiType.ADDRESS,
    PiiType.NAME,
    PiiType.CARD,
)


@dataclass(frozen=True, slots=True)
class Detection:
    """A PII span found by a detector, in the coordinates of the text the detector was given."""

    type: PiiType
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """One replaced span.

    ``start``/``end`` index the ORIGINAL text (``original[start:end]`` is what was removed);
    ``out_start``/``out_end`` index the redacted text (``redacted.text[out_start:out_end]`` is the
    placeholder). Offsets are safe to store: they reveal length, not content.
    """

    type: PiiType
    start: int
    end: int
    out_start: int
    out_end: int

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.type]


@dataclass(frozen=True, slots=True)
class Redacted:
    """A redacted text and the spans that were replaced, in text order."""

    text: str
    redactions: tuple[Redaction, ...] = ()

    @property
    def types(self) -> frozenset[PiiType]:
        return frozenset(r.type for r in self.redactions)
