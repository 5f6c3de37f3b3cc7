"""Library errors reach clients as problem+json whose ``type`` names the kind and whose status fits it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.problems import PROBLEM_JSON, error_status
from voc.calls.ingest import ExternalIdConflictError
from voc.errors import (
    ConflictError,
    GoneError,
    InvalidInputError,
    NotFoundError,
    TooLargeError,
    UnavailableError,
    VocError,
)


def test_each_kind_has_its_status_and_subclasses_inherit_it() -> None:
    assert [error_status(k("x")) for k in (NotFoundError, ConflictError, GoneError, TooLargeError)] == [
        404,
        409,
        410,
        413,
    ]
    assert error_status(InvalidInputError("x")) == 422
    assert error_status(UnavailableError("x")) == 503
    assert error_status(ExternalIdConflictError("A-1")) == 409
    assert error_status(VocError("x")) == 500


def test_an_unknown_topic_is_a_not_found_problem(client: TestClient) -> None:
    r = client.patch("/api/v1/topics/999", json={"name": "料金"})
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM_JSON
    body = r.json()
    assert body["type"] == "urn:voc:problem:not-found"
    assert body["status"] == 404 and "999" in body["detail"]
    assert body["instance"] == "/api/v1/topics/999"


def test_an_unreadable_phone_number_is_an_invalid_input_problem(client: TestClient) -> None:
    r = client.put("/api/v1/customers/C1", json={"customer_id": "C1", "phones": ["12"]})
    assert r.status_code == 422
    assert r.json()["type"] == "urn:voc:problem:invalid-input"
    assert "12" in r.json()["detail"]


def test_a_bad_webhook_url_is_an_invalid_input_problem(client: TestClient) -> None:
    r = client.post("/api/v1/webhooks", json={"url": "ftp://example.com/hook", "events": ["call.analyzed"]})
    assert r.status_code == 422
    assert r.json()["type"] == "urn:voc:problem:invalid-input"


def test_a_routes_own_not_found_has_the_same_type_and_plain_http_errors_stay_about_blank(
    client: TestClient, anonymous: TestClient
) -> None:
    r = client.get("/api/v1/calls/no-such-call")
    assert r.status_code == 404 and r.json()["type"] == "urn:voc:problem:not-found"
    r = anonymous.get("/api/v1/calls")
    assert r.status_code == 401 and r.json()["type"] == "about:blank"
