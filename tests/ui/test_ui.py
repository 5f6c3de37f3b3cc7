"""The web UI in a real browser: what supervisors and analysts do with it, end to end against the real app."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import REPO
from tests.ui.conftest import PAGED_CALLS, PAGING_AGENT, RISK_CUSTOMER, RISK_TEXT, Server, login, shoot

pytestmark = pytest.mark.browser

STEREO = REPO / "tests" / "fixtures" / "audio" / "stereo_call.flac"
PROCESSING_TIMEOUT_MS = 150_000


def test_login_rejects_a_bad_key_and_logout_forgets_the_key(page: Page, server: Server) -> None:
    page.goto(f"{server.url}/")
    expect(page).to_have_url(re.compile(r"/ui/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.fill("#api-key", "voc_nothing_valid")
    page.click("form.login button[type=submit]")
    expect(page.locator(".login .error")).to_contain_text("APIキー")
    shoot(page, "login")
    page.fill("#api-key", server.keys["analyst"])
    page.click("form.login button[type=submit]")
    expect(page.locator(".role")).to_have_text("アナリスト")
    page.click("#lang")
    expect(page.locator(".role")).to_have_text("Analyst")
    page.click("#lang")
    page.click("#logout")
    expect(page.locator("#api-key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('voc.key')") is None


def test_upload_is_processed_and_a_line_plays_from_its_start(
    page: Page, server: Server, tmp_path: Path
) -> None:
    login(page, server, "supervisor")
    expect(page).to_have_url(re.compile(r"/ui/upload$"))
    metadata = tmp_path / "calls.csv"
    metadata.write_text(
        "call_id,file,agent,started_at,channels,customer_id,caller_number\n"
        "UI-STEREO-1,recordings/stereo_call.flac,田中,,stereo_operator_left,,\n",
        encoding="utf-8",
    )
    page.set_input_files("#upload-csv", str(metadata))
    expect(page.locator("#csv-status")).to_contain_text("1")
    page.set_input_files("#upload-files", str(STEREO))
    row = page.locator("tr.upload-item[data-file='stereo_call.flac']")
    expect(row.locator("td.meta")).to_contain_text("call_id=UI-STEREO-1")
    page.click("#upload-start")
    expect(row).to_have_attribute("data-state", "done", timeout=PROCESSING_TIMEOUT_MS)
    assert row.locator("progress").nth(0).evaluate("p => p.value") == 1
    assert row.locator("progress").nth(1).evaluate("p => p.value") == 1
    shoot(page, "upload")

    with server.api("supervisor") as api:
        call = api.get("/calls/UI-STEREO-1").json()
    assert call["agent"] == "田中" and call["status"] == "done"

    row.locator("a.open-call").click()
    lines = page.locator("#transcript li.line")
    expect(lines.first).to_be_visible()
    expect(page.locator("#transcript li.line.operator").first).to_be_visible()
    expect(page.locator("#transcript li.line.customer").first).to_be_visible()
    expect(page.locator("#player")).to_have_attribute("data-ready", "true")
    customer_line = page.locator("#transcript li.line.customer").first
    start = float(customer_line.get_attribute("data-start") or "0")
    assert start > 0
    customer_line.click()
    page.wait_for_function(
        "s => { const a = document.getElementById('player'); return !a.paused && a.currentTime >= s; }",
        arg=start,
    )
    current = page.evaluate("document.getElementById('player').currentTime")
    assert start <= current < start + 5
    page.evaluate("document.getElementById('player').pause()")
    shoot(page, "call")

    # The topic report's links open a call at a second.
    page.goto(f"{server.url}/ui/calls/{call['id']}?t=12.5")
    page.wait_for_function(
        "() => { const a = document.getElementById('player');"
        " return a && Math.abs(a.currentTime - 12.5) < 0.01; }"
    )


def test_a_role_that_may_not_upload_does_not_see_the_upload_page(page: Page, server: Server) -> None:
    login(page, server, "analyst")
    nav = page.locator("nav.nav")
    expect(nav.locator("a[data-nav=calls]")).to_be_visible()
    expect(nav.locator("a[data-nav=upload]")).to_have_count(0)
    page.goto(f"{server.url}/ui/upload")
    expect(page.locator("#forbidden")).to_contain_text("権限")
    expect(page.locator("#dropzone")).to_have_count(0)
    shoot(page, "forbidden")


def test_confirming_a_flag_on_the_at_risk_list(page: Page, server: Server) -> None:
    login(page, server, "analyst", "/ui/customers")
    card = page.locator(f"li.risk-card[data-customer='{RISK_CUSTOMER}']")
    expect(card).to_be_visible()
    expect(page.locator("li.risk-card").first).to_have_attribute("data-customer", RISK_CUSTOMER)
    expect(card.locator(".rank")).to_have_text("1")
    expect(card.locator(".fee")).to_have_text("¥9,800")
    expect(card.locator(".flags")).to_contain_text("解約リスク")
    # One quote per utterance, with a chip (and feedback buttons) for every signal found in it.
    quote = card.locator("li.quote", has=page.locator(".chip[data-type='churn_intent']"))
    expect(quote).to_have_count(1)
    expect(quote.locator("q")).to_have_text(RISK_TEXT)
    expect(quote.locator(".chip")).to_have_count(2)
    expect(quote.locator(".chip[data-type='competitor_mention']")).to_be_visible()
    expect(quote.locator("a.play")).to_have_attribute("href", re.compile(r"/ui/calls/RISK-CALL-1\?t=4"))
    shoot(page, "at-risk")
    chip = quote.locator(".chip[data-type='churn_intent']")
    chip.locator("button.confirm").click()
    expect(chip.locator(".feedback")).to_have_attribute("data-feedback", "confirm")
    expect(page.locator("#toast")).to_contain_text("フィードバックを保存しました")
    with server.api("analyst") as api:
        signals = api.get("/signals", params={"call": "RISK-CALL-1", "type": "churn_intent"}).json()["items"]
    assert [s["feedback"] for s in signals] == ["confirm"]

    card.locator(".risk-who a").click()
    expect(page.locator("#timeline")).to_contain_text("RISK-CALL-1")
    expect(page.locator("h1")).to_have_text("山田商店")
    shoot(page, "customer")
    page.locator("#timeline a.play").first.click()
    expect(page.locator("#transcript li.line.flagged")).to_contain_text(RISK_TEXT)


def test_renaming_a_topic_and_reading_the_report(page: Page, server: Server) -> None:
    login(page, server, "analyst", "/ui/topics")
    rows = page.locator("#topics tr.topic-row")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 2
    expect(page.locator("#trend svg polyline").first).to_be_attached()
    expect(page.locator(".pill.emerging").first).to_be_visible()
    expect(page.locator("#crosstabs table").first).to_be_visible()
    expect(page.locator("#network img")).to_be_visible()
    shoot(page, "topics")
    first = rows.first
    topic_id = first.get_attribute("data-topic")
    first.locator("button.rename").click()
    first.locator("input.rename-input").fill("請求の間違い (UIテスト)")
    first.locator("form.rename-form button[type=submit]").click()
    expect(first.locator("strong.label")).to_have_text("請求の間違い (UIテスト)")
    with server.api("analyst") as api:
        topics = api.get("/topics").json()["topics"]
    assert {str(t["id"]): t["label"] for t in topics}[str(topic_id)] == "請求の間違い (UIテスト)"
    page.reload()
    expect(page.locator(f"#topics tr[data-topic='{topic_id}'] strong.label")).to_have_text(
        "請求の間違い (UIテスト)"
    )
    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename.endswith(".csv")

    page.goto(f"{server.url}/ui/search?q=請求")
    expect(page.locator("#kwic mark").first).to_have_text(re.compile("請求"))
    shoot(page, "search")


def test_a_thousand_calls_paginate_fifty_at_a_time(page: Page, server: Server) -> None:
    login(page, server, "supervisor", "/ui/calls")
    expect(page.locator("tr.call-row").first).to_be_visible()
    shoot(page, "calls")
    page.fill("#call-filters input[name=agent]", PAGING_AGENT)
    page.click("#call-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"agent="))
    seen: set[str] = set()
    pages = 0
    while True:
        expect(page.locator("#page-no")).to_have_text(f"ページ {pages + 1}")
        ids = page.locator("tr.call-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
        assert len(ids) == (50 if pages < PAGED_CALLS // 50 - 1 else PAGED_CALLS - 50 * pages)
        seen.update(ids)
        pages += 1
        if page.locator("#next-page").is_disabled():
            break
        page.click("#next-page")
    assert pages == PAGED_CALLS // 50 and len(seen) == PAGED_CALLS
    page.click("#prev-page")
    expect(page.locator("#page-no")).to_have_text(f"ページ {pages - 1}")
    # Sorting within the page by a column heading.
    page.click("button.sort[data-sort=duration_s]")
    durations = page.locator("tr.call-row td:nth-child(6)").all_inner_texts()
    assert durations == sorted(durations, key=lambda d: [int(x) for x in d.split(":")])
