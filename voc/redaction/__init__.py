"""PII redaction applied to every transcript before it is first written anywhere.

>>> redact("お電話番号は090-1234-5678です").text
'お電話番号は［電話番号］です'
"""

from __future__ import annotations

from voc.redaction.logging_filter import RedactingFilter, install_redacting_filter
from voc.redaction.numerals import DigitRun, NumeralToken, normalize_digits, scan_digit_runs, to_digits
from voc.redaction.pii import ALL_TYPES, PLACEHOLDERS, PiiType, Redacted, Redaction
from voc.redaction.redactor import Redactor, redact, redact_segments

__all__ = [
    "ALL_TYPES",
    "PLACEHOLDERS",
    "DigitRun",
    "NumeralToken",
    "PiiType",
    "Redacted",
    "RedactingFilter",
    "Redaction",
    "Redactor",
    "install_redacting_filter",
    "normalize_digits",
    "redact",
    "redact_segments",
    "scan_digit_runs",
    "to_digits",
]
