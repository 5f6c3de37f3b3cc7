"""``voc bench asr``: the cold ingest and raw faster-whisper on one folder, scored and written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.asr.conftest import fixture_path
from voc.bench.asr import load_references, reference_text, role_accuracy
from voc.cli.bench import app

pytestmark = pytest.mark.slow


def test_the_cold_ingest_and_raw_whisper_are_timed_scored_and_written(tmp_path: Path) -> None:
    folder = tmp_path / "calls"
    folder.mkdir()
    transcripts = {}
    for name in ("stereo_call", "mono_call"):
        shutil.copy(fixture_path(f"{name}.flac"), folder / f"{name}.flac")
        transcripts[f"{name}.flac"] = json.loads(fixture_path(f"{name}.json").read_text(encoding="utf-8"))
    (folder / "transcripts.json").write_text(json.dumps(transcripts, ensure_ascii=False), encoding="utf-8")
    (folder / "calls.csv").write_text(
        "call_id,file,channels\nS1,stereo_call.flac,stereo\nM1,mono_call.flac,mono\n", encoding="utf-8"
    )
    output = tmp_path / "BENCHMARKS.md"

    result = CliRunner().invoke(
        app, ["asr", str(folder), "--repeats", "1", "--section", "asr-tiny", "--output", str(output)]
    )

    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert "<!-- bench:asr-tiny -->" in text and "2 file(s)" in text
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in text.splitlines()}
    raw, service = rows["raw faster-whisper"], rows["service (as configured)"]
    assert float(raw[2]) > 0.5 and float(service[2]) > 0.5  # x real time, start-up included
    assert float(raw[7]) < 0.35 and float(service[7]) < 0.35  # CER: both transcribed the two calls
    assert float(service[8].rstrip(" |")) >= 0.8  # roles: stereo by channel, mono by voice


def test_references_come_from_a_catalogue_or_a_sibling_file(tmp_path: Path) -> None:
    audio = tmp_path / "calls"
    audio.mkdir()
    for name in ("a.flac", "b.flac", "c.flac"):
        (audio / name).write_bytes(b"")
    (tmp_path / "transcripts.json").write_text(json.dumps({"a.flac": "あ"}), encoding="utf-8")
    (audio / "b.txt").write_text("び", encoding="utf-8")
    files = sorted(audio.glob("*.flac"))
    assert load_references(files) == {"a.flac": "あ", "b.flac": "び"}
    assert reference_text({"turns": [{"start": 2, "text": "い"}, {"start": 1, "text": "あ"}]}) == "あい"


def test_role_accuracy_is_the_share_of_speech_time_given_to_the_right_party() -> None:
    references = {
        "a.flac": {"turns": [
            {"speaker": "operator", "start": 0.0, "end": 4.0, "text": "…"},
            {"speaker": "customer", "start": 4.5, "end": 8.0, "text": "…"},
        ]},
        "b.flac": "plain text: no turns, not scored",
    }  # fmt: skip
    turns = {
        "a.flac": [("operator", 0.2, 3.8), ("operator", 4.6, 5.6), ("customer", 5.6, 7.6)],
        "b.flac": [("customer", 0.0, 10.0)],
    }
    assert role_accuracy(turns, references) == round((3.6 + 2.0) / (3.6 + 1.0 + 2.0), 4)
    assert role_accuracy({}, references) is None
