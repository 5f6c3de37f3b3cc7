"""The command line as a user meets it: help lists every command, mistakes get one line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
