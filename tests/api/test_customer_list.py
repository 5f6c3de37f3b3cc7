"""The customer list over HTTP: search by name, id or phone; sort by risk, fee, health; pages; follow-up
state with who and when; a CSV export Excel opens."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.conftest import ClientFor
from voc.customers.records import upsert_customer
from voc.db.calls import Call, CallStatus, Segment
from voc.db.customers import CustomerCreate
from voc.db.types import utcnow
from voc.nlp.toolkit import TextToolkit
from voc.runtime import Runtime
from voc.signals.analyze import analyze_call
from voc.signals.flags import recompute_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon

CHURN = "他社の方が安いので解約したいです。"


def _seed(runtime: Runtime, toolkit: TextToolkit) -> None:
    """Four customers; R1 and R2 said they want to leave (R1 is worth more), Q1 and Q2 said nothing."""
    customers = [
        ("R1", "山田商店", 9800, "03-5678-9012"),
        ("R2", "佐藤工務店", 3000, "090-1111-2222"),
        ("Q1", "鈴木薬局", 12000, "06-1234-5678"),
        ("Q2", "田中", None, "045-111-2222"),
    ]
    with Session(runtime.engine) as session:
        for customer_id, name, fee, phone in customers:
            customer, _ = upsert_customer(
                session,
                CustomerCreate(
                    customer_id=customer_id, name=name, monthly_fee=fee, usage_rate=0.5, phones=[phone]
                ),
            )
            session.flush()
            assert customer.id is not None
            if not customer_id.startswith("R"):
                continue
            call = Call(
                external_id=f"call-{customer_id}",
                audio_sha256=hashlib.sha256(customer_id.encode()).hexdigest(),
                customer_pk=customer.id,
                started_at=utcnow() - timedelta(days=1),
                status=CallStatus.DONE,
            )
            session.add(call)
            session.flush()
            assert call.id is not None
            session.add(Segment(call_id=call.id, idx=0, speaker="customer", start=0, end=3, text=CHURN))
            session.flush()
            analyze_call(session, call.id, toolkit.tokenizer, lexicon=SignalLexicon.default())
            recompute_customer(session, customer.id, SignalParams())
        session.commit()


def ids(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [item["customer_id"] for item in items]


def test_search_sort_and_pages(client: TestClient, runtime: Runtime, toolkit: TextToolkit) -> None:
    _seed(runtime, toolkit)
    body = client.get("/api/v1/customers").json()
    assert ids(body)[:2] == ["R1", "R2"] and body["total"] == 4  # by risk, highest first
    assert body["items"][0]["flags"] and body["items"][0]["risk_score"] > body["items"][1]["risk_score"]
    assert ids(client.get("/api/v1/customers", params={"sort": "fee"}).json()) == ["Q1", "R1", "R2", "Q2"]
    assert ids(client.get("/api/v1/customers", params={"sort": "fee", "order": "asc"}).json())[0] == "R2"
    health = client.get("/api/v1/customers", params={"sort": "health", "order": "asc"}).json()["items"]
    assert [h["health_score"] for h in health] == sorted(h["health_score"] for h in health)
    for q, expected in [("山田", ["R1"]), ("q1", ["Q1"]), ("0356789012", ["R1"]), ("1111-2222", ["R2"])]:
        assert ids(client.get("/api/v1/customers", params={"q": q}).json()) == expected, q
    first = client.get("/api/v1/customers", params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_offset"] == 3
    rest = client.get("/api/v1/customers", params={"limit": 3, "offset": 3}).json()
    assert ids(rest) == ["Q2"] and rest["next_offset"] is None  # ties (no risk) by customer id
    assert ids(client.get("/api/v1/customers", params={"flagged": "true"}).json()) == ["R1", "R2"]


def test_follow_up_records_who_and_when_and_filters_the_list(
    client_for: ClientFor, runtime: Runtime, toolkit: TextToolkit
) -> None:
    _seed(runtime, toolkit)
    analyst = client_for("analyst")
    r = analyst.put("/api/v1/customers/R1/follow-up", json={"state": "contacted"})
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "contacted" and r.json()["by"] == "test-analyst" and r.json()["at"]
    listed = analyst.get("/api/v1/customers", params={"flagged": "true"}).json()["items"]
    assert listed[0]["follow_up"]["state"] == "contacted" and listed[1]["follow_up"] is None
    pending = analyst.get("/api/v1/customers", params={"flagged": "true", "follow_up": "none"}).json()
    assert ids(pending) == ["R2"]
    assert analyst.put("/api/v1/customers/R1/follow-up", json={"state": "done"}).json()["state"] == "done"
    assert analyst.put("/api/v1/customers/R1/follow-up", json={"state": None}).json() is None
    assert analyst.put("/api/v1/customers/NOPE/follow-up", json={"state": "done"}).status_code == 404
    assert (
        client_for("supervisor").put("/api/v1/customers/R1/follow-up", json={"state": "done"}).status_code
        == 403
    )


def test_the_list_exports_as_a_csv_excel_opens(
    client: TestClient, runtime: Runtime, toolkit: TextToolkit
) -> None:
    _seed(runtime, toolkit)
    client.put("/api/v1/customers/R2/follow-up", json={"state": "done"})
    r = client.get("/api/v1/customers", params={"flagged": "true", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Japanese right
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert [row["customer_id"] for row in rows] == ["R1", "R2"]
    assert rows[0]["name"] == "山田商店" and CHURN in rows[0]["evidence"]
    assert rows[1]["follow_up"] == "done" and rows[1]["follow_up_by"] == "test-admin"


def test_the_total_follows_every_write_to_customers(client: TestClient) -> None:
    def total() -> int:
        answer = client.get("/api/v1/customers", params={"limit": 1})
        assert answer.status_code == 200, answer.text
        count: int = answer.json()["total"]
        return count

    assert total() == 0
    assert client.put("/api/v1/customers/T1", json={"customer_id": "T1"}).status_code == 200
    assert total() == total() == 1  # the second read is answered from this process's count
    batch = [{"customer_id": f"T{i}"} for i in range(2, 5)]
    assert client.post("/api/v1/customers/batch", json=batch).status_code == 200
    assert total() == 4
    csv_file = "customer_id,name\nT5,五\nT6,六\n"
    answer = client.post(
        "/api/v1/customers/import", files={"file": ("crm.csv", csv_file.encode(), "text/csv")}
    )
    assert answer.status_code == 200, answer.text
    assert total() == 6
    assert client.put("/api/v1/customers/T1", json={"customer_id": "T1", "name": "一"}).status_code == 200
    assert total() == 6
    assert client.delete("/api/v1/customers/T2").status_code == 200
    assert total() == 5
    assert client.get("/api/v1/customers", params={"q": "T"}).json()["total"] == 5
