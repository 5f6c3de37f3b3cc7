"""Webhook subscriptions over the API (admin only): the secret is shown once; the delivery log is readable."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from voc.runtime import Runtime
from voc.webhooks.outbox import enqueue_event

HOOK = {"url": "https://crm.example.co.jp/hooks/voc", "events": ["call.analyzed", "customer.flagged"]}


def test_create_list_update_delete(client: TestClient) -> None:
    created = client.post("/api/v1/webhooks", json=HOOK)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == sorted(HOOK["events"])
    listed = client.get("/api/v1/webhooks").json()
    assert [w["id"] for w in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}").json()
    patched = client.patch(
        f"/api/v1/webhooks/{body['id']}", json={"active": False, "events": ["customer.flagged"]}
    )
    assert patched.json()["active"] is False and patched.json()["events"] == ["customer.flagged"]
    assert client.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert client.get(f"/api/v1/webhooks/{body['id']}").status_code == 404
    actions = [e["action"] for e in client.get("/api/v1/audit").json()["items"]]
    assert actions[:3] == ["webhook.delete", "webhook.update", "webhook.create"]


def test_bad_subscriptions_are_422_problems(client: TestClient) -> None:
    for bad in (
        {**HOOK, "url": "ftp://example.com/x"},
        {**HOOK, "url": "not a url"},
        {**HOOK, "events": []},
        {**HOOK, "events": ["call.deleted"]},
    ):
        r = client.post("/api/v1/webhooks", json=bad)
        assert r.status_code == 422, bad
        assert r.headers["content-type"].startswith("application/problem+json")


def test_the_delivery_log(client: TestClient, runtime: Runtime) -> None:
    hook = client.post("/api/v1/webhooks", json=HOOK).json()
    with Session(runtime.engine) as session:
        enqueue_event(session, "call.analyzed", {"call_id": 1, "customer_id": "C1"})
        enqueue_event(session, "customer.flagged", {"customer_id": "C1", "flag": "churn_risk"})
        session.commit()
    page = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()
    assert [d["event_type"] for d in page["items"]] == ["customer.flagged", "call.analyzed"]
    assert {d["status"] for d in page["items"]} == {"pending"}
    first = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", params={"limit": 1}).json()
    rest = client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries", params={"cursor": first["next_cursor"]}
    ).json()
    assert [d["id"] for d in first["items"] + rest["items"]] == [d["id"] for d in page["items"]]
    retry = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{page['items'][0]['id']}/retry")
    assert retry.status_code == 409, "still pending"
    assert client.get("/api/v1/webhooks/999/deliveries").status_code == 404
