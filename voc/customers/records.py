"""Upserting customer records (one, a batch, or a CRM CSV), idempotently by ``customer_id``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlmodel import Session, col, delete, select

from voc.csvfiles import CsvRow, CsvSyntaxError, iter_rows
from voc.customers.bulk import PreparedRecord, write_records
from voc.customers.phones import phone_numbers, split_phones
from voc.db.customers import Customer, CustomerCreate, CustomerPhone, CustomerPublic
from voc.db.types import utcnow
from voc.errors import InvalidInputError

log = logging.getLogger(__name__)

#: The columns voc reads, in the order a CRM export usually has them; any other column is an attribute.
CSV_COLUMNS = (
    "customer_id",
    "name",
    "phone",
    "plan",
    "monthly_fee",
    "usage_rate",
    "tenure_months",
    "status",
    "churned_at",
)
KNOWN_COLUMNS = frozenset(CSV_COLUMNS)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    customer_pks: list[int] = field(default_factory=list)  # the customers written

    @property
    def loaded(self) -> int:
        return self.created + self.updated


def upsert_customer(session: Session, data: CustomerCreate) -> tuple[Customer, bool]:
    """Insert or update one customer; returns it and whether it was created. Phones are replaced."""
    numbers = phone_numbers(data.phones)
    customer = session.exec(select(Customer).where(Customer.customer_id == data.customer_id)).first()
    created = customer is None
    values = data.model_dump(exclude={"phones", "attributes"})
    if customer is None:
        customer = Customer(**values, attributes=data.attributes)
    else:
        for key, value in values.items():
            setattr(customer, key, value)
        customer.attributes = {**customer.attributes, **data.attributes}
        customer.updated_at = utcnow()
    session.add(customer)
    session.flush()
    assert customer.id is not None
    session.exec(delete(CustomerPhone).where(col(CustomerPhone.customer_pk) == customer.id))
    for number, raw in numbers.items():
        session.add(CustomerPhone(customer_pk=customer.id, e164=number, raw=raw))
    return customer, created


def to_public(session: Session, customer: Customer) -> CustomerPublic:
    phones = session.exec(select(CustomerPhone.e164).where(CustomerPhone.customer_pk == customer.id)).all()
    return CustomerPublic(**customer.model_dump(), phones=list(phones))


def parse_row(row: dict[str, str]) -> CustomerCreate:
    """One CSV row to a validated record; unknown columns become attributes."""
    clean = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
    values: dict[str, Any] = {k: v for k, v in clean.items() if k in KNOWN_COLUMNS and v != ""}
    values.pop("phone", None)
    if "churned_at" in values:
        values["churned_at"] = _parse_datetime(values["churned_at"])
    attributes = {k: v for k, v in clean.items() if k not in KNOWN_COLUMNS and v != ""}
    return CustomerCreate(**values, phones=split_phones(clean.get("phone", "")), attributes=attributes)


def _parse_datetime(value: str) -> datetime:
    try:
        # Excel writes dates as 2026/10/01.
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError as exc:
        raise InvalidInputError(
            f"churned_at は日付で指定してください (ISO 8601 or YYYY/MM/DD): {value!r}"
        ) from exc
    # A bare date in a Japanese CRM export means JST midnight.
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    return parsed.astimezone(UTC)


def import_csv(session: Session, text: str) -> ImportReport:
    """Load a CRM CSV (text from :func:`voc.csvfiles.decode_csv`): every bad row is reported with its line
    and reason, good rows still load, all in a few statements per chunk (:mod:`voc.customers.bulk`).
    A customer id that comes twice ends as its last good row says."""
    report = ImportReport()
    names, rows = iter_rows(text)
    if "customer_id" not in names:
        report.errors.append((1, "customer_id 列がありません (missing customer_id column)"))
        return report
    records = []
    try:
        for row in rows:
            record = _prepare_row(row, report)
            if record is not None:
                records.append(record)
    except CsvSyntaxError as exc:
        report.errors.append((exc.line, str(exc)))
    _write(session, records, report)
    log.info(
        "customers imported: %d created, %d updated, %d bad rows",
        report.created,
        report.updated,
        len(report.errors),
    )
    return report


def _prepare_row(row: CsvRow, report: ImportReport) -> PreparedRecord | None:
    try:
        data = parse_row(row.values)
        return PreparedRecord(data, phone_numbers(data.phones))
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        report.errors.append((row.line, reasons))
    except ValueError as exc:
        report.errors.append((row.line, str(exc)))
    return None


def _write(session: Session, records: list[PreparedRecord], report: ImportReport) -> None:
    if records:
        written = write_records(session, records)
        report.created += written.created
        report.updated += written.updated
        report.customer_pks.extend(written.customer_pks)


def upsert_many(session: Session, items: Iterable[CustomerCreate]) -> ImportReport:
    """A batch from the API: a bad phone number raises :class:`InvalidInputError` before anything is
    written (the caller commits nothing)."""
    report = ImportReport()
    _write(session, [PreparedRecord(data, phone_numbers(data.phones)) for data in items], report)
    return report
