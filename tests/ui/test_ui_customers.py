"""Customer success in the browser: the customer list (search, sort) and the morning list's follow-up state
and CSV export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.ui.conftest import RISK_CUSTOMER, RISK_TEXT, Server, login, shoot

pytestmark = pytest.mark.browser


def test_marking_a_customer_contacted_shows_who_and_when_and_the_list_exports(
    page: Page, server: Server
) -> None:
    login(page, server, "analyst", "/ui/customers")
    card = page.locator(f"li.risk-card[data-customer='{RISK_CUSTOMER}']")
    state = card.locator(".follow-state")
    expect(state).to_have_text("未対応")
    card.locator("button.follow-contacted").click()
    expect(state).to_have_attribute("data-state", "contacted")
    expect(state).to_contain_text("連絡済み · ui-analyst · ")
    with server.api("analyst") as api:
        listed = api.get("/customers", params={"q": RISK_CUSTOMER}).json()["items"]
    assert listed[0]["follow_up"]["state"] == "contacted" and listed[0]["follow_up"]["by"] == "ui-analyst"
    page.reload()
    expect(card.locator(".follow-state")).to_have_attribute("data-state", "contacted")

    with page.expect_download() as info:
        page.click("#risk-csv")
    data = Path(info.value.path()).read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0]["customer_id"] == RISK_CUSTOMER and rows[0]["follow_up"] == "contacted"
    assert RISK_TEXT in rows[0]["evidence"]
    card.locator("button.follow-done").click()
    expect(card.locator(".follow-state")).to_have_attribute("data-state", "done")


def test_the_customer_list_searches_and_sorts(page: Page, server: Server) -> None:
    login(page, server, "analyst", "/ui/crm")
    rows = page.locator("#crm-list tr.customer-row")
    expect(rows.first).to_have_attribute("data-customer", RISK_CUSTOMER)  # by risk, highest first
    page.fill("#crm-q", "山田")
    page.click("#crm-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"/ui/crm\?q="))
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".fee")).to_have_text("¥9,800")
    shoot(page, "crm-list")
    page.fill("#crm-q", "")
    page.select_option("#crm-sort", "fee")
    page.click("#crm-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"sort=fee"))
    expect(rows.first).to_be_visible()
    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/ui/customers/"))
