"""`voc redact` and `voc redaction …` as a user runs them (a real subprocess, stdin and stdout)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINES = [
    "青年月日は、1985年、4月12日です。",
    "",
    "月額2,980円のプランで、3回目の電話です。",
    "カード番号は4111 1111 1111 1112、山田太郎と申します。",
]


def voc(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "voc.cli.main", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "VOC_DATA_DIR": str(cwd / "var"), **(env or {})},
        timeout=120,
    )


def test_redact_prints_one_redacted_line_per_input_line(tmp_path: Path) -> None:
    out = voc("redact", cwd=tmp_path, stdin="\n".join(LINES) + "\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "青年月日は、［生年月日］です。",
        "",
        "月額2,980円のプランで、3回目の電話です。",
        "カード番号は［カード番号］、［氏名］と申します。",
    ]


def test_redact_json_gives_spans_and_types(tmp_path: Path) -> None:
    out = voc(
        "redact",
        "--json",
        "--name",
        "佐藤 花子/サトウ ハナコ",
        cwd=tmp_path,
        stdin="サトウです。090-1234-5678\n",
    )
    assert out.returncode == 0, out.stderr
    (row,) = [json.loads(line) for line in out.stdout.splitlines()]
    assert row["text"] == "［氏名］です。［電話番号］"
    assert row["types"] == ["name", "phone"]
    original = "サトウです。090-1234-5678"
    assert [original[r["start"] : r["end"]] for r in row["redactions"]] == ["サトウ", "090-1234-5678"]
    assert [row["text"][r["out_start"] : r["out_end"]] for r in row["redactions"]] == [
        "［氏名］",
        "［電話番号］",
    ]


def test_redact_follows_the_settings(tmp_path: Path) -> None:
    out = voc("redact", cwd=tmp_path, stdin="090-1234-5678\n", env={"VOC_REDACTION__ENABLED": "false"})
    assert out.returncode == 0
    assert out.stdout == "090-1234-5678\n" and "unredacted" in out.stderr


def test_rerun_on_an_empty_database_reports_nothing_changed(tmp_path: Path) -> None:
    # From the checkout (its models/ hold the NLP dictionary the tokens are rebuilt with); data in tmp.
    data = {"VOC_DATA_DIR": str(tmp_path / "var")}
    out = voc("redaction", "rerun", "--json", cwd=ROOT, env=data)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {
        "calls_scanned": 0, "calls_changed": 0, "segments_changed": 0, "redactions_added": 0, "by_type": {},
    }  # fmt: skip
    again = voc("redaction", "rerun", cwd=ROOT, env={**data, "VOC_REDACTION__ENABLED": "false"})
    assert again.returncode == 2 and "voc: error: redaction is disabled" in again.stderr
