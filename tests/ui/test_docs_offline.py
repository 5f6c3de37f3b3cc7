"""The API documentation in a browser cut off from everything but this server: Swagger UI and ReDoc render."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, Route, expect

from tests.ui.conftest import ARTIFACTS, Server

pytestmark = pytest.mark.browser

RENDER_MS = 60_000  # the whole OpenAPI document is parsed in the page: slow on a busy 2-core machine


def offline(page: Page, server: Server) -> list[tuple[str, str]]:
    """Abort every request to another host (as with no network) and collect them with their kind."""
    ours = urlparse(server.url).netloc
    outside: list[tuple[str, str]] = []

    def handle(route: Route) -> None:
        if urlparse(route.request.url).netloc == ours:
            route.continue_()
        else:
            outside.append((route.request.resource_type, route.request.url))
            route.abort()

    page.route("**/*", handle)
    return outside


def test_swagger_ui_renders_offline(page: Page, server: Server) -> None:
    outside = offline(page, server)
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("voc", timeout=RENDER_MS)
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/calls").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "docs-swagger.png"))
    assert outside == []


def test_redoc_renders_offline(page: Page, server: Server) -> None:
    outside = offline(page, server)
    page.goto(f"{server.url}/redoc")
    expect(page.locator("h1").first).to_contain_text("voc", timeout=RENDER_MS)
    expect(page.get_by_text("Upload a recording").first).to_be_attached()
    page.screenshot(path=str(ARTIFACTS / "docs-redoc.png"))
    # ReDoc's "API docs by Redocly" link always tries its logo from a CDN and drops it when that fails:
    # nothing the page needs comes from outside.
    assert [kind for kind, _ in outside if kind != "image"] == []
