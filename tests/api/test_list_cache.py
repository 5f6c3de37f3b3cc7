"""The lists a CRM polls (calls, customers, at-risk): kept per serving process, never staler than a
committed write, with an ETag that a client revalidates with (``304 Not Modified``)."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.conftest import ClientFor
from voc.db.calls import Call, CallStatus
from voc.db.customers import Customer
from voc.runtime import Runtime
from voc.security.keys import create_key

LISTS = ("/api/v1/calls?limit=50", "/api/v1/customers?limit=50", "/api/v1/at-risk?limit=50")


def _add_call(runtime: Runtime, external_id: str) -> None:
    with Session(runtime.engine) as session:
        sha = hashlib.sha256(external_id.encode()).hexdigest()
        session.add(Call(external_id=external_id, audio_sha256=sha, status=CallStatus.DONE))
        session.commit()


def _put_customer(client: TestClient, customer_id: str, name: str) -> None:
    response = client.put(f"/api/v1/customers/{customer_id}", json={"customer_id": customer_id, "name": name})
    assert response.status_code in (200, 201), response.text


@pytest.mark.parametrize("path", LISTS)
def test_a_matching_etag_is_304_without_a_body(client: TestClient, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).content == first.content


def test_a_customer_written_through_the_api_is_in_the_next_list_read(client: TestClient) -> None:
    _put_customer(client, "C1", "山田商店")
    before = client.get("/api/v1/customers?limit=50")
    assert [c["customer_id"] for c in before.json()["items"]] == ["C1"]
    _put_customer(client, "C2", "佐藤工務店")
    after = client.get("/api/v1/customers?limit=50", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert sorted(c["customer_id"] for c in after.json()["items"]) == ["C1", "C2"]
    assert after.json()["total"] == 2


def test_a_write_by_another_path_is_in_the_next_list_read(client: TestClient, runtime: Runtime) -> None:
    _add_call(runtime, "call-1")
    before = client.get("/api/v1/calls?limit=50")
    assert [c["external_id"] for c in before.json()["items"]] == ["call-1"]
    _add_call(runtime, "call-2")  # a worker or a script: not through the API
    assert {c["external_id"] for c in client.get("/api/v1/calls?limit=50").json()["items"]} == {
        "call-1",
        "call-2",
    }
    with runtime.engine.begin() as conn:  # raw SQL too
        conn.execute(sa.text("UPDATE calls SET agent = 'sato' WHERE external_id = 'call-1'"))
    items = client.get("/api/v1/calls?limit=50").json()["items"]
    assert {c["external_id"]: c["agent"] for c in items}["call-1"] == "sato"
    with runtime.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM calls WHERE external_id = 'call-2'"))
    after = client.get("/api/v1/calls?limit=50", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert [c["external_id"] for c in after.json()["items"]] == ["call-1"]


def test_an_unchanged_list_reads_the_same_and_keeps_its_etag(client: TestClient, runtime: Runtime) -> None:
    _add_call(runtime, "call-1")
    first = client.get("/api/v1/calls?limit=50")
    with Session(runtime.engine) as session:  # a write no list reads (a key): the lists stay as they were
        create_key(session, "analyst", "another")
        session.commit()
    second = client.get("/api/v1/calls?limit=50")
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]


def test_each_role_and_each_query_gets_its_own_page(client_for: ClientFor) -> None:
    admin, analyst, integration = client_for("admin"), client_for("analyst"), client_for("integration")
    for customer_id in ("C1", "C2", "C3"):
        _put_customer(admin, customer_id, f"顧客{customer_id}")
    one = analyst.get("/api/v1/customers?limit=1").json()
    assert len(one["items"]) == 1 and one["next_offset"] == 1
    assert len(integration.get("/api/v1/customers?limit=50").json()["items"]) == 3
    assert len(analyst.get("/api/v1/customers?limit=50").json()["items"]) == 3
    assert analyst.get("/api/v1/customers?limit=1").json() == one
    assert analyst.get("/api/v1/customers?limit=1&offset=1").json()["items"] != one["items"]
    assert client_for("supervisor").get("/api/v1/customers?limit=50").status_code == 403


def test_later_pages_still_carry_an_etag(client: TestClient, runtime: Runtime) -> None:
    for n in range(3):
        _add_call(runtime, f"call-{n}")
    first = client.get("/api/v1/calls?limit=2").json()
    later = client.get(f"/api/v1/calls?limit=2&cursor={first['next_cursor']}")
    assert later.status_code == 200 and len(later.json()["items"]) == 1
    assert (
        client.get(
            f"/api/v1/calls?limit=2&cursor={first['next_cursor']}",
            headers={"If-None-Match": later.headers["etag"]},
        ).status_code
        == 304
    )


def test_a_customer_written_without_a_refresh_is_scored_and_listed(
    client: TestClient, runtime: Runtime
) -> None:
    _put_customer(client, "C1", "山田商店")
    assert client.get("/api/v1/customers?limit=50").json()["total"] == 1
    with Session(runtime.engine) as session:  # no risk row: the list scores it before reading the page
        session.add(Customer(customer_id="LATE", name="遅れて来た顧客"))
        session.commit()
    for _ in range(2):  # the second read finds it scored as well (kept, or scored again)
        listed = client.get("/api/v1/customers?limit=50").json()
        assert sorted(c["customer_id"] for c in listed["items"]) == ["C1", "LATE"]
        assert all(isinstance(c["health_score"], (int, float)) for c in listed["items"])
