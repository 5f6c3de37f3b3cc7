"""CSV files from Excel in the browser: Shift_JIS CRM and metadata files, every bad line named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis
from tests.ui.conftest import Server, login, shoot

pytestmark = pytest.mark.browser


def test_a_shift_jis_crm_export_loads_its_good_rows_and_names_both_bad_lines(
    page: Page, server: Server, tmp_path: Path
) -> None:
    crm = tmp_path / "顧客.csv"
    crm.write_bytes(crm_sjis())
    login(page, server, "integration", "/ui/crm")
    expect(page).to_have_url(re.compile(r"/ui/crm$"))
    page.set_input_files("#crm-file", str(crm))
    summary = page.locator("#crm-summary")
    expect(summary).to_contain_text(f"{len(CRM_GOOD)} 件追加")
    errors = page.locator("#crm-errors li")
    expect(errors).to_have_count(len(CRM_BAD_LINES))
    for item, line in zip(errors.all(), CRM_BAD_LINES, strict=True):
        expect(item).to_have_attribute("data-line", str(line))
        expect(item).to_contain_text(f"{line} 行目")
    shoot(page, "crm-import")
    with server.api("integration") as api:
        assert api.get("/customers/S001").json()["name"] == "髙橋①商店"


def test_a_shift_jis_metadata_file_fills_the_upload_list_and_names_its_bad_line(
    page: Page, server: Server, tmp_path: Path
) -> None:
    meta = tmp_path / "calls.csv"
    meta.write_bytes(
        (
            "call_id,file,agent,started_at,channels,customer_id,caller_number\r\n"
            "SJ-1,録音/stereo_call.flac,髙橋,,Stereo,,\r\n"
            "SJ-2,other.flac,佐藤,昨日,mono,,\r\n"
        ).encode("cp932")
    )
    login(page, server, "supervisor", "/ui/upload")
    page.set_input_files("#upload-csv", str(meta))
    expect(page.locator("#csv-status")).to_contain_text("1 行を読み込みました")
    expect(page.locator("#csv-errors li")).to_have_count(1)
    expect(page.locator("#csv-errors li")).to_have_attribute("data-line", "3")
    audio = tmp_path / "stereo_call.flac"
    audio.write_bytes(b"fLaC" + b"\0" * 64)
    page.set_input_files("#upload-files", str(audio))
    row = page.locator("tr.upload-item[data-file='stereo_call.flac']")
    expect(row.locator("td.meta")).to_contain_text("agent=髙橋")
    expect(row.locator("td.meta")).to_contain_text("channels=stereo_operator_left")
