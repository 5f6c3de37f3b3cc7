"""The linked customer's name, as the CRM holds it, for redacting it from that customer's calls."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from voc.db.calls import Call
from voc.db.customers import Customer
from voc.redaction.names import PersonName

#: CRM columns (kept as attributes by ``voc customers import``) that may hold the name's kana reading.
KANA_COLUMNS = (
    "name_kana",
    "kana",
    "furigana",
    "フリガナ",
    "ふりがな",
    "カナ",
    "氏名カナ",
    "name_reading",
    "yomi",
)


def _kana(attributes: dict[str, Any]) -> str | None:
    for key in KANA_COLUMNS:
        value = attributes.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def customer_names(customer: Customer | None) -> tuple[PersonName, ...]:
    if customer is None or not customer.name:
        return ()
    name = PersonName.parse(customer.name, _kana(customer.attributes or {}))
    return (name,) if name is not None else ()


def linked_names(session: Session, call: Call | None) -> tuple[PersonName, ...]:
    """The names to redact from ``call`` besides the introduced ones: its linked customer's."""
    if call is None or call.customer_pk is None:
        return ()
    return customer_names(session.get(Customer, call.customer_pk))
