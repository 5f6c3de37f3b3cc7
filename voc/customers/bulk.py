"""Writing many customer records at once: a handful of statements per chunk of records, not several per
record, so that a 20,000-row CRM export loads in seconds and does not slow down as the table grows.

One ``SELECT … IN`` per chunk of records for the customers already stored (their attributes are
merged, and it tells created from updated), one executemany ``INSERT … ON CONFLICT (customer_id) DO
UPDATE`` (SQLite and PostgreSQL both have it; psycopg sends it as one pipeline), one ``SELECT … IN`` per
chunk for the new customers' keys, one ``DELETE`` per chunk of the stored customers' phones and one
executemany ``INSERT`` of all phones. (``RETURNING`` would save the second select but makes SQLAlchemy
render batches of multi-row ``VALUES``, three times slower on PostgreSQL.) The records are written as
:func:`voc.customers.records.upsert_customer` writes one: every column from the record (a column the file
lacks is cleared), attributes merged into the stored ones, phone numbers replaced.

A customer id that comes twice is written once, as its last record says (attributes merged in file order),
and each record is counted: the first as created (or updated, when stored), the later ones as updated.

A stored customer whose record would not change (every column, the merged attributes and the phone numbers
as stored: the same file imported again) is not written at all: its row, ``updated_at`` and phones stay,
and it is not among the customers written (whose flags and scores the import refreshes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from voc.db.batches import chunks, expire_loaded, literal_in
from voc.db.customers import Customer, CustomerCreate, CustomerPhone, customers_changed
from voc.db.types import utcnow
from voc.errors import UnavailableError

CUSTOMERS: Table = Customer.__table__  # type: ignore[attr-defined]
PHONES: Table = CustomerPhone.__table__  # type: ignore[attr-defined]
#: The dialects' own INSERT, which can say what to do with a customer id that is stored already.
UPSERTS: dict[str, Callable[[Table], Any]] = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}
KEPT_ON_UPDATE = frozenset({"customer_id", "created_at"})


@dataclass(frozen=True, slots=True)
class PreparedRecord:
    """A validated record and its phone numbers (E.164 → as written), ready to store."""

    data: CustomerCreate
    phones: dict[str, str]


@dataclass(frozen=True, slots=True)
class BulkResult:
    created: int
    updated: int
    customer_pks: list[int]  # every customer written, new and changed (not those left as they were)


#: The columns a record sets (``CustomerCreate`` less phones and attributes), compared with the stored ones.
RECORD_COLUMNS = tuple(name for name in CustomerCreate.model_fields if name not in {"phones", "attributes"})


@dataclass(frozen=True, slots=True)
class StoredRecord:
    pk: int
    attributes: dict[str, Any]
    columns: dict[str, Any]
    phones: dict[str, str]  # E.164 → as written


def _stored(session: Session, customer_ids: Sequence[str]) -> dict[str, StoredRecord]:
    """customer_id → what is stored of those already stored (their record's columns and phones)."""
    found: dict[str, StoredRecord] = {}
    names = [c for c in RECORD_COLUMNS if c != "customer_id"]
    for chunk in chunks(customer_ids):
        rows = session.execute(
            select(
                CUSTOMERS.c.customer_id,
                CUSTOMERS.c.id,
                CUSTOMERS.c.attributes,
                *(CUSTOMERS.c[name] for name in names),
            ).where(CUSTOMERS.c.customer_id.in_(literal_in(chunk)))
        ).all()
        by_pk: dict[int, dict[str, str]] = {row[1]: {} for row in rows}
        phones = session.execute(
            select(PHONES.c.customer_pk, PHONES.c.e164, PHONES.c.raw).where(
                PHONES.c.customer_pk.in_(literal_in(list(by_pk)))
            )
        )
        for pk, e164, raw in phones:
            by_pk[pk][e164] = raw
        for customer_id, pk, attributes, *values in rows:
            columns = {"customer_id": customer_id, **dict(zip(names, values, strict=True))}
            found[customer_id] = StoredRecord(pk, dict(attributes or {}), columns, by_pk[pk])
    return found


def _unchanged(
    stored: StoredRecord, values: dict[str, Any], attributes: dict[str, Any], phones: dict[str, str]
) -> bool:
    return (
        attributes == stored.attributes
        and phones == stored.phones
        and all(values[name] == stored.columns[name] for name in RECORD_COLUMNS)
    )


def write_records(session: Session, records: Sequence[PreparedRecord]) -> BulkResult:
    """Insert the new customers and update the stored ones (in the session's transaction; flushes only)."""
    session.flush()  # pending ORM changes first: the statements below must see them
    stored = _stored(session, list(dict.fromkeys(r.data.customer_id for r in records)))
    final: dict[str, PreparedRecord] = {}
    attributes: dict[str, dict[str, Any]] = {}
    created = updated = 0
    for record in records:
        customer_id = record.data.customer_id
        if customer_id in attributes:
            updated += 1
            base = attributes[customer_id]
        elif customer_id in stored:
            updated += 1
            base = stored[customer_id].attributes
        else:
            created += 1
            base = {}
        attributes[customer_id] = {**base, **record.data.attributes}
        final[customer_id] = record
    now = utcnow()
    rows = []
    for cid, r in list(final.items()):
        values = r.data.model_dump(exclude={"phones", "attributes"})
        if cid in stored and _unchanged(stored[cid], values, attributes[cid], r.phones):
            del final[cid]  # as stored already: nothing to write, nothing to refresh
            continue
        rows.append({**values, "attributes": attributes[cid], "created_at": now, "updated_at": now})
    if rows:
        _upsert(session, rows)
        customers_changed(session.connection())  # the population the scores are relative to moved
    new = [cid for cid in final if cid not in stored]
    pks = {cid: stored[cid].pk for cid in final if cid in stored} | _keys(session, new)
    for chunk in chunks([stored[cid].pk for cid in final if cid in stored]):
        session.execute(delete(PHONES).where(PHONES.c.customer_pk.in_(literal_in(chunk))))
    phones = [
        {"customer_pk": pks[cid], "e164": e164, "raw": raw}
        for cid, record in final.items()
        for e164, raw in record.phones.items()
    ]
    if phones:
        session.execute(insert(PHONES), phones)
    expire_loaded(session, Customer, set(pks.values()))
    return BulkResult(created=created, updated=updated, customer_pks=list(pks.values()))


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """``INSERT … ON CONFLICT (customer_id) DO UPDATE`` for every row, as one executemany."""
    dialect = session.get_bind().dialect.name
    if dialect not in UPSERTS:
        raise UnavailableError(f"CRM import needs SQLite or PostgreSQL, not {dialect}")
    stmt = UPSERTS[dialect](CUSTOMERS)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CUSTOMERS.c.customer_id],
        set_={name: stmt.excluded[name] for name in rows[0] if name not in KEPT_ON_UPDATE},
    )
    session.execute(stmt, rows)


def _keys(session: Session, customer_ids: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in chunks(customer_ids):
        rows = session.execute(
            select(CUSTOMERS.c.customer_id, CUSTOMERS.c.id).where(
                CUSTOMERS.c.customer_id.in_(literal_in(chunk))
            )
        )
        found.update({customer_id: pk for customer_id, pk in rows})
    return found
