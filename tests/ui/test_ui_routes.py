"""The routes behind the web UI, without a browser: who am I, the page shell and its assets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.auth import PERMISSIONS
from voc.runtime import Runtime
from voc.security.keys import create_key


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(runtime=runtime), follow_redirects=False) as c:
        yield c


def _key(runtime: Runtime, role: str) -> str:
    with Session(runtime.engine) as session:
        _, secret = create_key(session, role, f"me-{role}")
        session.commit()
    return secret


@pytest.mark.parametrize("role", ["supervisor", "analyst", "integration", "admin"])
def test_me_tells_the_role_and_what_it_may_do(client: TestClient, runtime: Runtime, role: str) -> None:
    r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {_key(runtime, role)}"})
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == role and body["name"] == f"me-{role}" and isinstance(body["key_id"], int)
    expected = {p for p, roles in PERMISSIONS.items() if role == "admin" or role in roles}
    assert set(body["permissions"]) == expected
    assert ("calls.upload" in body["permissions"]) == (role in ("supervisor", "admin"))


def test_me_needs_a_key(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")


def test_every_ui_path_serves_the_page_and_the_root_redirects(client: TestClient) -> None:
    assert client.get("/").headers["location"] == "/ui/"
    for path in ("/ui/", "/ui/calls/123?t=12.5", "/ui/topics", "/ui/login"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["content-type"].startswith("text/html")
        assert '<script type="module" src="/ui/assets/js/main.js">' in r.text
        assert "default-src 'self'" in r.headers["content-security-policy"]


def test_assets_are_served_offline_and_nothing_outside_the_folder(client: TestClient) -> None:
    js = client.get("/ui/assets/js/main.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    css = client.get("/ui/assets/app.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    for text in (js.text, css.text, client.get("/ui/").text):
        assert "http://" not in text and "https://" not in text  # no CDN, no web font
    assert client.get("/ui/assets/nothing.js").status_code == 404
    for bad in (
        "/ui/assets/../routes/ui.py",
        "/ui/assets/%2e%2e/routes/ui.py",
        "/ui/assets/..%2f..%2fauth.py",
    ):
        r = client.get(bad)
        assert r.status_code in (200, 404), bad  # 200: the page shell, for a path the client normalised
        assert "APIRouter" not in r.text and "PERMISSIONS" not in r.text, bad
