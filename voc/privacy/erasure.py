"""Erasing a customer (APPI deletion request): their calls with everything derived from them, their audio,
their phone numbers, queued webhooks about them, and the customer row. One audit entry without PII stays.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import Table, delete, or_
from sqlmodel import Session, SQLModel, col, select

from voc.audio_store import AudioStore
from voc.audit.log import detach, record
from voc.calls.deletion import delete_call
from voc.db.calls import Call
from voc.db.customers import Customer, CustomerPhone
from voc.db.webhooks import WebhookDelivery
from voc.errors import NotFoundError
from voc.security.keys import Principal

log = logging.getLogger(__name__)


@dataclass
class ErasureReport:
    erasure_id: str  # the audit entry's reference: the only trace, without PII
    calls: int = 0
    audio_files: int = 0
    phones: int = 0
    webhook_deliveries: int = 0
    other_rows: int = 0
    audit_entries_detached: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return asdict(self)


class UnknownCustomerError(NotFoundError):
    """No customer has the id to erase."""


def _tables_referencing(target: str) -> list[tuple[Table, str]]:
    """(table, column) for every foreign key to ``target`` (e.g. ``customers.id``) in the metadata."""
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.target_fullname == target for fk in column.foreign_keys):
                found.append((table, column.name))
    return found


def erase_customer(
    session: Session,
    store: AudioStore,
    customer_id: str,
    *,
    actor: Principal | None = None,
    ip: str | None = None,
) -> ErasureReport:
    """Erase everything about one customer; the caller commits. Raises ``UnknownCustomerError``."""
    customer = session.exec(select(Customer).where(col(Customer.customer_id) == customer_id)).first()
    if customer is None or customer.id is None:
        raise UnknownCustomerError(f"顧客が見つかりません: {customer_id}")
    report = ErasureReport(erasure_id=str(uuid.uuid4()))
    phones = list(
        session.exec(select(CustomerPhone.e164).where(col(CustomerPhone.customer_pk) == customer.id)).all()
    )
    # Their calls: linked to them, or unlinked but from one of their numbers (ambiguous at upload).
    owned = col(Call.customer_pk) == customer.id
    unlinked = (col(Call.customer_pk).is_(None)) & (col(Call.caller_number).in_(phones))
    calls = list(session.exec(select(Call).where(or_(owned, unlinked) if phones else owned)).all())
    call_ids = [c.id for c in calls if c.id is not None]
    if call_ids:
        report.webhook_deliveries += _delete_where(session, WebhookDelivery, "call_id", call_ids)
        # Tables that reference calls under another column name than call_id (delete_call covers those).
        for table, column in _tables_referencing("calls.id"):
            report.other_rows += _delete_table_rows(session, table, column, call_ids)
    for call in calls:
        had_audio = store.exists(call.audio_sha256)
        delete_call(session, store, call, params=None)  # the customer goes too: nothing to recompute
        report.calls += 1
        report.audio_files += int(had_audio)
    report.webhook_deliveries += _delete_where(session, WebhookDelivery, "customer_ref", [customer_id])
    for table, column in _tables_referencing("customers.id"):
        n = _delete_table_rows(session, table, column, [customer.id])
        if table.name == CustomerPhone.__tablename__:
            report.phones += n
        else:
            report.other_rows += n
    report.audit_entries_detached = detach(session, "call", call_ids) + detach(
        session, "customer", [customer_id]
    )
    session.delete(customer)
    session.flush()
    record(
        session,
        "customer.erase",
        "customer",
        report.erasure_id,
        actor=actor,
        ip=ip,
        detail={k: v for k, v in report.as_dict().items() if k != "erasure_id"},
    )
    log.info("customer erased (erasure %s): %d call(s)", report.erasure_id, report.calls)
    return report


def _delete_where(session: Session, model: type[SQLModel], column: str, values: list[int] | list[str]) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return _delete_table_rows(session, table, column, values)


def _delete_table_rows(session: Session, table: Table, column: str, values: list[int] | list[str]) -> int:
    if not values:
        return 0
    result = session.execute(delete(table).where(table.c[column].in_(values)))
    return int(result.rowcount)  # type: ignore[attr-defined]
