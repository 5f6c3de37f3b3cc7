"""The command line as a user meets it: help lists every command, mistakes get one line, not a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.test_calls_api import wav_bytes
from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis

COMMANDS = ["serve", "worker", "db", "calls", "customers", "models", "examples"]


def voc(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voc.cli.main", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "VOC_DATA_DIR": str(cwd / "var"), **(env or {})},
        timeout=120,
    )


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = voc("--help", cwd=tmp_path)
    assert out.returncode == 0
    for command in COMMANDS:
        assert f"  {command} " in out.stdout


@pytest.mark.parametrize(
    "args",
    [("calls", "ingest", "--bogus"), ("nosuch",), ("calls", "ingest"), ("calls", "show", "--json")],
)
def test_wrong_arguments_get_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = voc(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.startswith("voc: error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


def test_bad_setting_is_named(tmp_path: Path) -> None:
    out = voc("calls", "list", cwd=tmp_path, env={"VOC_WORKER__LEASE_S": "soon"})
    assert out.returncode == 2 and "worker.lease_s" in out.stderr


def test_db_upgrade_and_customer_import(tmp_path: Path) -> None:
    assert voc("db", "upgrade", cwd=tmp_path).returncode == 0
    assert (tmp_path / "var" / "voc.db").exists()
    csv = tmp_path / "crm.csv"
    csv.write_text("customer_id,name,phone,usage_rate\nC1,山田,03-1234-5678,0.5\nC2,悪,03-1234-5678,9x\n")
    out = voc("customers", "import", str(csv), cwd=tmp_path)
    assert out.returncode == 0
    assert "1 created" in out.stdout and "line 3" in out.stderr
    shown = voc("customers", "show", "C1", cwd=tmp_path)
    assert '"+81312345678"' in shown.stdout


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    out = voc("calls", "ingest", str(tmp_path / "nope.wav"), cwd=tmp_path)
    assert out.returncode == 2 and "no such file" in out.stderr


def test_a_shift_jis_crm_export_loads_its_good_rows_and_names_both_bad_lines(tmp_path: Path) -> None:
    csv = tmp_path / "crm.csv"
    csv.write_bytes(crm_sjis())
    out = voc("customers", "import", str(csv), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"{len(CRM_GOOD)} created" in out.stdout
    for line in CRM_BAD_LINES:
        assert f"line {line}:" in out.stderr
    assert "Traceback" not in out.stderr
    assert "髙橋①商店" in voc("customers", "show", "S001", cwd=tmp_path).stdout
    found = voc("customers", "list", "--q", "髙橋", cwd=tmp_path).stdout.splitlines()
    assert len(found) == 1 and found[0].startswith("S001")
    by_fee = voc("customers", "list", "--sort", "fee", "--csv", cwd=tmp_path).stdout.lstrip("\ufeff")
    assert [line.split(",")[0] for line in by_fee.splitlines()[1:]] == ["S001", "S004", "S002"]


def test_ingest_names_every_bad_metadata_row_and_queues_the_good_ones(tmp_path: Path) -> None:
    audio = tmp_path / "rec"
    audio.mkdir()
    for name, seed in (("a.wav", 1), ("b.wav", 2), ("c.wav", 3)):
        (audio / name).write_bytes(wav_bytes(seed=seed))
    meta = tmp_path / "calls.csv"
    meta.write_bytes(
        (
            "call_id,file,agent,started_at,channels,customer_id,caller_number\r\n"
            "K1,a.wav,田中,,stereo,,\r\n"
            "K2,b.wav,佐藤,昨日,mono,,\r\n"
            "K3,c.wav,鈴木,,quad,,\r\n"
        ).encode("cp932")
    )
    out = voc("calls", "ingest", str(audio), "--metadata", str(meta), cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "line 3:" in out.stderr and "line 4:" in out.stderr
    assert "1 calls queued" in out.stdout
    listed = voc("calls", "list", "--json", cwd=tmp_path)
    assert [c["external_id"] for c in json.loads(listed.stdout)] == ["K1"]
