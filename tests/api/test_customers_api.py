"""Customer upsert over HTTP: one, a batch, a CSV; idempotent; bad rows reported by line."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis

RECORD = {
    "customer_id": "C100",
    "name": "山田商店",
    "phones": ["03-5678-9012"],
    "plan": "プレミアム",
    "monthly_fee": 9800,
    "usage_rate": 0.9,
    "tenure_months": 24,
    "status": "active",
}


def test_put_is_idempotent_and_normalises_phones(client: TestClient) -> None:
    for _ in range(2):
        r = client.put("/api/v1/customers/C100", json=RECORD)
        assert r.status_code == 200, r.text
    body = client.get("/api/v1/customers/C100").json()
    assert body["phones"] == ["+81356789012"] and body["calls"] == []


def test_put_rejects_mismatch_and_bad_values(client: TestClient) -> None:
    assert client.put("/api/v1/customers/OTHER", json=RECORD).status_code == 422
    bad = {**RECORD, "usage_rate": -1}
    r = client.put("/api/v1/customers/C100", json=bad)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert client.put("/api/v1/customers/C100", json={**RECORD, "phones": ["12"]}).status_code == 422


def test_batch_and_csv_import(client: TestClient) -> None:
    r = client.post("/api/v1/customers/batch", json=[RECORD, {**RECORD, "customer_id": "C101"}])
    assert r.json()["created"] == 2
    csv = (
        "customer_id,name,phone,monthly_fee,segment\nC102,佐藤,090-1111-2222,1980,SMB\nC103,悪,090,abc,SMB\n"
    )
    r = client.post("/api/v1/customers/import", files={"file": ("crm.csv", csv.encode(), "text/csv")})
    body = r.json()
    assert body["created"] == 1 and body["errors"][0]["line"] == 3
    assert client.get("/api/v1/customers/C102").json()["attributes"] == {"segment": "SMB"}
    assert client.get("/api/v1/customers/NOPE").status_code == 404


def test_a_fee_too_large_to_weigh_still_scores_the_customer(client: TestClient) -> None:
    # A year of 1e308 overflows to infinity; the customer is stored and scored as if no fee were known.
    huge = [{**RECORD, "customer_id": f"C10{i}", "monthly_fee": 1e308} for i in range(3)]
    r = client.post("/api/v1/customers/batch", json=huge)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/customers/C100").status_code == 200
    assert client.get("/api/v1/at-risk").status_code == 200


def test_a_record_with_nul_characters_is_refused_on_every_backend(client: TestClient) -> None:
    # PostgreSQL can store "\u0000" inside JSON but not read it out as text: refused at the door.
    bad = [{**RECORD, "attributes": {"memo": "a\x00b"}}, {**RECORD, "customer_id": "C1\x00"}]
    for record in bad:
        r = client.post("/api/v1/customers/batch", json=[record])
        assert r.status_code == 422, r.text
        assert "NUL" in r.text
    assert client.get("/api/v1/at-risk").status_code == 200


def test_a_shift_jis_crm_export_loads_its_good_rows_and_names_both_bad_lines(client: TestClient) -> None:
    r = client.post("/api/v1/customers/import", files={"file": ("crm.csv", crm_sjis(), "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["updated"]) == (len(CRM_GOOD), 0)
    assert [e["line"] for e in body["errors"]] == list(CRM_BAD_LINES)
    assert client.get("/api/v1/customers/S001").json()["name"] == "髙橋①商店"


def test_an_undecodable_csv_is_422_naming_the_encodings(client: TestClient) -> None:
    r = client.post("/api/v1/customers/import", files={"file": ("crm.csv", bytes(range(128, 256)) * 4)})
    assert r.status_code == 422 and "Shift_JIS" in r.json()["detail"]
