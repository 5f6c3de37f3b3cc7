"""Exports: calls with signals and topic as CSV or JSON, for analysts only, and every export audited."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.api.test_calls_api import wav_bytes
from voc.db.audit import AuditEntry
from voc.db.calls import Segment
from voc.db.signals import CallSignalRow, SignalType
from voc.runtime import Runtime


def _seed(client: TestClient, runtime: Runtime) -> int:
    call_id = client.post(
        "/api/v1/calls", files={"file": ("a.wav", wav_bytes(seed=70), "audio/wav")},
        data={"call_id": "EXP-1", "started_at": "2026-11-02T10:00:00+09:00"},
    ).json()["id"]  # fmt: skip
    with Session(runtime.engine) as session:
        session.add(
            Segment(call_id=call_id, idx=0, speaker="customer", start=1.0, end=3.0, text="料金が高すぎます")
        )
        signal = CallSignalRow(
            call_id=call_id, segment_idx=0, type=SignalType.VALUE_COMPLAINT, score=0.8, speaker="customer",
            start=1.0, end=3.0, text="料金が高すぎます",
        )  # fmt: skip
        session.add(signal)
        session.commit()
    return int(call_id)


def test_json_and_csv_exports(client: TestClient, analyst_client: TestClient, runtime: Runtime) -> None:
    _seed(client, runtime)
    docs = analyst_client.get("/api/v1/exports/calls", params={"transcript": True}).json()
    assert docs[0]["external_id"] == "EXP-1"
    assert docs[0]["signals"][0]["type"] == "value_complaint"
    assert docs[0]["segments"][0]["text"] == "料金が高すぎます"
    r = analyst_client.get("/api/v1/exports/calls", params={"format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["external_id"] == "EXP-1" and rows[0]["signals"] == "value_complaint:0.8"
    with Session(runtime.engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert len(entries) == 2


def test_exports_are_for_analysts(client_for: object, client: TestClient, runtime: Runtime) -> None:
    _seed(client, runtime)
    supervisor = client_for("supervisor")  # type: ignore[operator]
    assert supervisor.get("/api/v1/exports/calls").status_code == 403
    assert (
        client.get("/api/v1/exports/calls", params={"started_from": "2026-11-01T00:00:00"}).status_code == 422
    )
