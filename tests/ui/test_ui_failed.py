"""A failed call in the browser: the reason in the reader's language, and a retry button for supervisors."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.ui.conftest import Server, login, shoot
from voc.db.calls import Call, CallStatus
from voc.db.engine import make_engine

pytestmark = pytest.mark.browser


def _failed_call(server: Server, name: str) -> int:
    engine = make_engine(server.settings.resolved_database_url)
    try:
        with Session(engine) as session:
            call = Call(
                external_id=name,
                audio_sha256=hashlib.sha256(name.encode()).hexdigest(),
                status=CallStatus.DEAD,
                attempts=3,
                error="3 回試行しても完了しませんでした (attempts exhausted): [Errno 28] No space left",
            )
            session.add(call)
            session.commit()
            assert call.id is not None
            return call.id
    finally:
        engine.dispose()


def test_a_failed_call_says_why_and_a_supervisor_can_retry_it(page: Page, server: Server) -> None:
    call_id = _failed_call(server, "FAILED-UI-1")
    login(page, server, "supervisor", f"/ui/calls/{call_id}")
    failure = page.locator("#call-failure")
    expect(failure).to_have_attribute("data-code", "disk_full")
    expect(failure.locator(".failure-reason")).to_have_text("ディスクの空き容量が足りません。")
    expect(failure).to_contain_text("3 回試行")
    expect(page.locator("text=まだ文字起こしがありません")).to_have_count(0)
    shoot(page, "call-failed")
    page.click("#lang")
    expect(failure.locator(".failure-reason")).to_have_text("The disk is full.")
    page.click("#lang")
    page.click("#call-retry")
    expect(page.locator(".toast")).to_contain_text("再処理を開始しました")
    with server.api("supervisor") as api:
        assert api.get(f"/calls/{call_id}").json()["attempts"] <= 1  # replayed from the start


def test_an_analyst_sees_the_reason_but_no_retry_button(page: Page, server: Server) -> None:
    call_id = _failed_call(server, "FAILED-UI-2")
    login(page, server, "analyst", f"/ui/calls/{call_id}")
    expect(page.locator("#call-failure .failure-reason")).to_have_text("ディスクの空き容量が足りません。")
    expect(page.locator("#call-retry")).to_have_count(0)
    expect(page.locator("#call-failure")).to_contain_text("スーパーバイザー")
