"""Erasing a customer leaves nothing about them in any table, and no audio; other customers are untouched."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from voc.audio_store import LocalAudioStore
from voc.audit.log import record
from voc.customers.records import upsert_customer
from voc.db.audit import AuditEntry
from voc.db.calls import Call, CallStatus, CallStatusEvent, Segment
from voc.db.customers import CustomerCreate
from voc.db.models import metadata
from voc.db.types import EnumText
from voc.privacy.erasure import erase_customer
from voc.runtime import Runtime
from voc.webhooks.outbox import enqueue_event
from voc.webhooks.subscriptions import create_subscription

NAME = "山田太郎"
CUSTOMER_ID = "CUST-ERASE-7781"
PHONE = "090-1234-5678"
E164 = "+819012345678"
MARKERS = (NAME, CUSTOMER_ID, E164, "9012345678")


def _dummy(column: sa.Column[Any], marker: str) -> Any:
    kind = column.type
    if isinstance(kind, EnumText):  # an enum column holds one of its members, never free text
        return next(iter(kind.enum.__members__.values()))
    impl = kind.impl if isinstance(kind, sa.types.TypeDecorator) else kind
    if isinstance(impl, sa.Boolean):
        return False
    if isinstance(impl, sa.Integer):
        return 0
    if isinstance(impl, sa.Float):
        return 0.5
    if isinstance(impl, sa.JSON):
        return {"text": marker}
    if isinstance(impl, sa.LargeBinary):
        return marker.encode()
    if isinstance(impl, sa.DateTime):
        return datetime.now(UTC)
    if isinstance(impl, sa.String):
        return marker[: impl.length] if impl.length else marker
    return None


def _fill_derived_tables(session: Session, refs: dict[str, int]) -> list[str]:
    """One row in every table that points at a call or a customer (including other stages' tables, and
    the parents they need), with the customer's name in its text columns: whatever erasure misses, the
    checks below find."""
    handled = {"calls", "customers", "customer_phones", "segments", "call_status_events"}
    existing = set(sa.inspect(session.get_bind()).get_table_names())
    tables = {t.name: t for t in metadata.sorted_tables if t.name in existing and t.name not in handled}

    def parents(table: sa.Table) -> set[str]:
        return {fk.column.table.name for c in table.columns for fk in c.foreign_keys if not c.nullable} & set(
            tables
        )

    about_them = {
        name
        for name, t in tables.items()
        if any(fk.target_fullname in refs for c in t.columns for fk in c.foreign_keys)
    }
    needed = set(about_them)
    while more := set().union(*(parents(tables[n]) for n in needed)) - needed:
        needed |= more
    filled = []
    for table in metadata.sorted_tables:  # parents first
        if table.name not in needed:
            continue
        targets = {c.name: fk.target_fullname for c in table.columns for fk in c.foreign_keys}
        row: dict[str, Any] = {}
        for column in table.columns:
            if column.primary_key and column.autoincrement in (True, "auto") and column.name not in targets:
                continue
            if column.name in targets:
                row[column.name] = refs.get(targets[column.name])
            else:
                marker = f"{NAME} {PHONE}" if table.name in about_them else "shared"
                row[column.name] = _dummy(column, marker)
        result = session.execute(table.insert().values(**row))
        pk = result.inserted_primary_key  # type: ignore[attr-defined]
        if pk and len(table.primary_key.columns) == 1:
            refs.setdefault(f"{table.name}.{next(iter(table.primary_key.columns)).name}", pk[0])
        filled.append(table.name)
    return filled


def _make_customer(
    session: Session, store: LocalAudioStore, cid: str, name: str, phone: str, seed: int
) -> dict[str, Any]:
    customer, _ = upsert_customer(session, CustomerCreate(customer_id=cid, name=name, phones=[phone]))
    assert customer.id is not None
    stored = [store.put([f"RIFF-{seed}-{i}".encode() * 10]) for i in range(3)]
    linked = Call(
        audio_sha256=stored[0].sha256,
        customer_pk=customer.id,
        status=CallStatus.DONE,
        original_filename=f"{name}.wav",
    )
    linked2 = Call(audio_sha256=stored[1].sha256, customer_pk=customer.id, status=CallStatus.DONE)
    # Unlinked at upload, but from their number: theirs too.
    by_number = Call(
        audio_sha256=stored[2].sha256,
        caller_number=phone if phone.startswith("+") else None,
        status=CallStatus.DONE,
    )
    session.add_all([linked, linked2, by_number])
    session.flush()
    calls = [linked, linked2, by_number]
    for call in calls:
        assert call.id is not None
        session.add(Segment(call_id=call.id, idx=0, speaker="customer", start=0, end=1, text=f"{name}です"))
        session.add(CallStatusEvent(call_id=call.id, status=CallStatus.DONE))
        record(session, "audio.play", "call", call.id, ip="10.0.0.1")
    segment = session.exec(select(Segment).where(Segment.call_id == linked.id)).first()
    assert segment is not None and segment.id is not None
    return {
        "pk": customer.id,
        "call_ids": [c.id for c in calls],
        "shas": [s.sha256 for s in stored],
        "refs": {"calls.id": linked.id, "customers.id": customer.id, "segments.id": segment.id},
    }


def _rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    existing = set(sa.inspect(engine).get_table_names())
    with engine.connect() as conn:
        return {
            t.name: [dict(r._mapping) for r in conn.execute(t.select())]
            for t in SQLModel.metadata.sorted_tables
            if t.name in existing
        }


def _text(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return "" if value is None else str(value)


def test_erasure_is_complete(runtime: Runtime) -> None:
    engine, store = runtime.engine, runtime.store
    with Session(engine) as session:
        create_subscription(session, "https://crm.example.co.jp/hook", ["call.analyzed", "customer.flagged"])
        gone = _make_customer(session, store, CUSTOMER_ID, NAME, E164, seed=1)
        kept = _make_customer(session, store, "C-KEEP", "佐藤花子", "+81356789012", seed=2)
        for call_id in gone["call_ids"]:
            enqueue_event(
                session, "call.analyzed", {"call_id": call_id, "customer_id": CUSTOMER_ID, "text": NAME}
            )
        enqueue_event(session, "customer.flagged", {"customer_id": CUSTOMER_ID, "name": NAME})
        enqueue_event(session, "call.analyzed", {"call_id": kept["call_ids"][0], "customer_id": "C-KEEP"})
        filled = _fill_derived_tables(session, gone["refs"])
        session.commit()
    before = _rows(engine)
    assert any(CUSTOMER_ID in _text(v) for r in before["webhook_deliveries"] for v in r.values())

    with Session(engine) as session:
        report = erase_customer(session, store, CUSTOMER_ID)
        session.commit()
    assert report.calls == 3 and report.audio_files == 3 and report.phones == 1
    assert report.webhook_deliveries == 4

    after = _rows(engine)
    call_ids = set(gone["call_ids"])
    for table in SQLModel.metadata.sorted_tables:
        fks = {c.name: fk.target_fullname for c in table.columns for fk in c.foreign_keys}
        for row in after.get(table.name, []):
            for column, value in row.items():
                where = f"{table.name}.{column} = {value!r}"
                if (
                    fks.get(column) == "calls.id"
                    or column == "call_id"
                    or (table.name == "calls" and column == "id")
                ):
                    assert value not in call_ids, where
                if fks.get(column) == "customers.id" or (table.name == "customers" and column == "id"):
                    assert value != gone["pk"], where
                for marker in MARKERS:
                    assert marker not in _text(value), f"{where} contains {marker!r}"
            if table.name == "audit_log" and row["resource_type"] == "call":
                assert row["resource_id"] not in {str(c) for c in call_ids}
    for sha in gone["shas"]:
        assert not store.exists(sha)
    # The other customer, their calls, audio, webhooks and access history stay.
    for sha in kept["shas"][:2]:
        assert store.exists(sha)
    assert len(after["customers"]) == 1 and len(after["calls"]) == 3
    assert len(after["webhook_deliveries"]) == 1
    with Session(engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "customer.erase")).all()
        plays = session.exec(select(AuditEntry).where(AuditEntry.action == "audio.play")).all()
    assert [e.resource_id for e in entries] == [report.erasure_id]
    assert len(plays) == 6, "who played what, when, stays; only the link to the erased call is cut"
    assert "webhook_deliveries" in before and filled is not None


def test_erasure_over_the_api_is_admin_only_and_audited(runtime: Runtime) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api.conftest import make_key

    with Session(runtime.engine) as session:
        _make_customer(session, runtime.store, CUSTOMER_ID, NAME, E164, seed=3)
        session.commit()
    admin = {"Authorization": f"Bearer {make_key(runtime, 'admin', 'dpo')}"}
    analyst = {"Authorization": f"Bearer {make_key(runtime, 'analyst')}"}
    with TestClient(create_app(runtime=runtime)) as client:
        assert client.delete(f"/api/v1/customers/{CUSTOMER_ID}", headers=analyst).status_code == 403
        r = client.delete(f"/api/v1/customers/{CUSTOMER_ID}", headers=admin)
        assert r.status_code == 200, r.text
        assert r.json()["calls"] == 3
        assert client.get(f"/api/v1/customers/{CUSTOMER_ID}", headers=admin).status_code == 404
        assert client.delete(f"/api/v1/customers/{CUSTOMER_ID}", headers=admin).status_code == 404
        log = client.get("/api/v1/audit", params={"action": "customer.erase"}, headers=admin).json()
    (entry,) = log["items"]
    assert entry["key_name"] == "dpo" and entry["ip"] and entry["resource_id"] == r.json()["erasure_id"]
    assert CUSTOMER_ID not in json.dumps(entry, ensure_ascii=False)
