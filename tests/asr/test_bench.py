"""``run_asr_bench``: raw faster-whisper and another path on the same files, with CER and the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.asr.conftest import fixture_path
from voc.asr import AsrOptions
from voc.asr.bench import (
    format_markdown,
    layouts_from,
    load_references,
    role_accuracy,
    run_asr_bench,
    transcriber_path,
)

pytestmark = pytest.mark.slow


def test_raw_and_the_transcriber_are_timed_and_scored_on_the_same_files(
    asr_options: AsrOptions, model_dir: Path
) -> None:
    files = [fixture_path("stereo_call.flac"), fixture_path("mono_call.flac")]
    references = load_references(files)
    assert set(references) == {"stereo_call.flac", "mono_call.flac"}
    layouts = layouts_from(references, files)
    assert layouts[str(files[1])] == "mono"
    messages: list[str] = []

    result = run_asr_bench(
        files,
        references,
        model_dir,
        [transcriber_path("transcriber", asr_options.model_copy(update={"cpu_threads": 1}), layouts)],
        repeats=1,
        progress=messages.append,
    )

    (path,) = result.variants
    assert result.audio_s > 30 and result.raw.throughput > 1 and path.throughput > 1
    assert result.raw.cer is not None and result.raw.cer < 0.35
    assert path.cer is not None and path.cer < 0.35 and set(path.cer_by_file) == {str(f) for f in files}
    assert result.raw.roles is None  # Whisper alone labels no speakers
    assert path.roles is not None and path.roles >= 0.9  # stereo by channel, mono by voice
    assert len(messages) == 2 and "raw faster-whisper" in messages[0]
    table = format_markdown(result)
    assert "| raw faster-whisper |" in table and "| transcriber |" in table and f"{result.ratio:.2f}" in table


def test_references_come_from_a_catalogue_or_a_sibling_file(tmp_path: Path) -> None:
    audio = tmp_path / "calls"
    audio.mkdir()
    for name in ("a.flac", "b.flac", "c.flac"):
        (audio / name).write_bytes(b"")
    (tmp_path / "transcripts.json").write_text(json.dumps({"a.flac": "あ"}), encoding="utf-8")
    (audio / "b.txt").write_text("び", encoding="utf-8")
    files = sorted(audio.glob("*.flac"))
    assert load_references(files) == {"a.flac": "あ", "b.flac": "び"}


def test_role_accuracy_is_the_share_of_speech_time_given_to_the_right_party() -> None:
    references = {
        "a.flac": {"turns": [
            {"speaker": "operator", "start": 0.0, "end": 4.0, "text": "…"},
            {"speaker": "customer", "start": 4.5, "end": 8.0, "text": "…"},
        ]},
        "b.flac": "plain text: no turns, not scored",
    }  # fmt: skip
    turns = {
        "calls/a.flac": [("operator", 0.2, 3.8), ("operator", 4.6, 5.6), ("customer", 5.6, 7.6)],
        "calls/b.flac": [("customer", 0.0, 10.0)],
    }
    assert role_accuracy(turns, references) == round((3.6 + 2.0) / (3.6 + 1.0 + 2.0), 4)
    assert role_accuracy({}, references) is None
