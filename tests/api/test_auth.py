"""Every /api/v1 route needs a key (401) and the right role (403); the table in api/auth.py decides."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.auth import PERMISSIONS, api_operations
from tests.api.conftest import ClientFor, make_key
from tests.security.test_keys import FakeClock
from voc.runtime import Runtime
from voc.security.keys import KeyCache, cached_principal, list_keys, revoke_key
from voc.security.roles import ROLES

OPEN = ("/healthz", "/readyz", "/docs", "/openapi.json")


def _operations(app: FastAPI) -> list[tuple[str, str, tuple[str, ...]]]:
    ops: list[tuple[str, str, tuple[str, ...]]] = []
    for op in api_operations(app.routes):
        assert op.requirement is not None, f"{op.path} has no role check"
        path = re.sub(r"\{[^}]+\}", "999999", op.path)
        for method in sorted(op.methods - {"HEAD"}):
            ops.append((method, path, op.requirement.roles))
    return ops


def test_every_route_is_guarded_by_a_permission_of_the_table(app: FastAPI) -> None:
    ops = _operations(app)
    assert len(ops) >= 15
    tables = {tuple(dict.fromkeys((*roles, "admin"))) for roles in PERMISSIONS.values()}
    for method, path, roles in ops:
        assert roles in tables, f"{method} {path}: roles {roles} not from api.auth.PERMISSIONS"
        assert "admin" in roles


def test_route_role_matrix(app: FastAPI, anonymous: TestClient, client_for: ClientFor) -> None:
    for method, path, allowed in _operations(app):
        r = anonymous.request(method, path)
        assert r.status_code == 401, f"{method} {path} without a key: {r.status_code}"
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.headers["content-type"].startswith("application/problem+json")
        for role in ROLES:
            r = client_for(role).request(method, path)
            if role in allowed:
                assert r.status_code not in (401, 403), f"{method} {path} as {role}: {r.status_code} {r.text}"
            else:
                assert r.status_code == 403, f"{method} {path} as {role}: {r.status_code}"
                assert r.headers["content-type"].startswith("application/problem+json")
                assert "権限" in r.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer nope",
        "Basic dXNlcjpwYXNz",
        "Bearer voc_deadbeef_" + "x" * 43,
        "Bearer " + "a" * 5000,
    ],
)
def test_bad_keys_are_401(anonymous: TestClient, header: str) -> None:
    r = anonymous.get("/api/v1/calls", headers={"Authorization": header} if header else {})
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json()["status"] == 401


def _key_id(runtime: Runtime, name: str) -> int:
    with Session(runtime.engine) as session:
        return next(k.id for k in list_keys(session) if k.name == name and k.id is not None)


def test_a_key_revoked_through_the_api_is_refused_at_once(anonymous: TestClient, runtime: Runtime) -> None:
    secret = make_key(runtime, "analyst")
    headers = {"Authorization": f"Bearer {secret}"}
    admin = {"Authorization": f"Bearer {make_key(runtime, 'admin')}"}
    for _ in range(2):  # the second request is answered from the key cache
        assert anonymous.get("/api/v1/calls", headers=headers).status_code == 200
    assert cached_principal(runtime.key_cache, secret) is not None
    key_id = _key_id(runtime, "test-analyst")
    assert anonymous.delete(f"/api/v1/keys/{key_id}", headers=admin).status_code == 200
    assert anonymous.get("/api/v1/calls", headers=headers).status_code == 401


def test_a_key_revoked_by_another_process_is_refused_within_the_ttl(
    anonymous: TestClient, runtime: Runtime
) -> None:
    clock = FakeClock()
    runtime.key_cache = KeyCache(ttl_s=10, clock=clock)
    secret = make_key(runtime, "analyst")
    headers = {"Authorization": f"Bearer {secret}"}
    assert anonymous.get("/api/v1/calls", headers=headers).status_code == 200
    with Session(runtime.engine) as session:  # as `voc keys revoke` does, in its own process
        revoke_key(session, _key_id(runtime, "test-analyst"))
        session.commit()
    clock.now += 5
    assert anonymous.get("/api/v1/calls", headers=headers).status_code == 200  # cached: trusted 10 s
    clock.now += 5
    assert anonymous.get("/api/v1/calls", headers=headers).status_code == 401


def test_open_routes_need_no_key(anonymous: TestClient) -> None:
    for path in OPEN:
        assert anonymous.get(path).status_code in (200, 503), path


def test_an_upload_without_a_key_is_refused_before_the_body_is_read(
    anonymous: TestClient, runtime: Runtime
) -> None:
    r = anonymous.post("/api/v1/calls", files={"file": ("c.wav", b"RIFF" + b"\0" * 5000, "audio/wav")})
    assert r.status_code == 401
    assert not runtime.store.root.exists() or not any(p.is_file() for p in runtime.store.root.rglob("*"))


def test_openapi_documents_the_bearer_scheme_and_problem_responses(anonymous: TestClient) -> None:
    spec = anonymous.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ApiKey"] == {**schemes["ApiKey"], "type": "http", "scheme": "bearer"}
    for path, item in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in item.items():
            assert op.get("security") == [{"ApiKey": []}], f"{method} {path}"
            for code in ("401", "403", "422"):
                content = op["responses"][code]["content"]
                assert list(content) == ["application/problem+json"], f"{method} {path} {code}"
            assert op["x-roles"][-1] == "admin"


def test_keys_over_the_api(client: TestClient, anonymous: TestClient) -> None:
    created = client.post("/api/v1/keys", json={"role": "integration", "name": "crm"})
    assert created.status_code == 201
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("voc_" + body["prefix"])
    listed = client.get("/api/v1/keys").json()
    assert all("secret" not in k and "secret_sha256" not in k for k in listed)
    headers = {"Authorization": f"Bearer {secret}"}
    assert (
        anonymous.put("/api/v1/customers/C1", json={"customer_id": "C1"}, headers=headers).status_code == 200
    )
    assert anonymous.get("/api/v1/keys", headers=headers).status_code == 403
    assert client.delete(f"/api/v1/keys/{body['id']}").status_code == 200
    assert anonymous.get("/api/v1/customers/C1", headers=headers).status_code == 401
    assert client.post("/api/v1/keys", json={"role": "root"}).status_code == 422
