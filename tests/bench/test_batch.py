"""``run_batch``: files in through real worker processes, transcripts stored (the ``voc bench asr``
service path)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.asr.conftest import fixture_path
from voc.asr.cer import cer
from voc.bench.asr import reference_text
from voc.bench.batch import run_batch

pytestmark = pytest.mark.slow


def test_a_batch_runs_the_whole_path_and_returns_the_stored_transcripts(
    model_dir: Path, tmp_path: Path
) -> None:
    stereo, mono = fixture_path("stereo_call.flac"), fixture_path("mono_call.flac")
    run = run_batch(
        tmp_path,
        processes=1,
        files=[stereo, mono],
        layouts={str(mono): "mono"},
        model_dir=model_dir,
        settings={"asr": {"cpu_threads": 1}},
        warmup=stereo,
    )
    assert (run.calls, run.done, run.errors) == (2, 2, {})
    assert run.seconds > 0 and run.audio_s is not None and run.audio_s > 30
    reference = json.loads(stereo.with_suffix(".json").read_text(encoding="utf-8"))
    assert cer(reference_text(reference), run.texts[str(stereo)]) <= 0.2
    assert run.texts[str(mono)]
    assert {speaker for speaker, _start, _end in run.turns[str(stereo)]} == {"operator", "customer"}


def test_a_worker_that_cannot_start_fails_the_batch_at_once(tmp_path: Path) -> None:
    stereo = fixture_path("stereo_call.flac")
    with pytest.raises(RuntimeError, match="exited while starting"):
        run_batch(tmp_path, processes=1, files=[stereo], model_dir=tmp_path / "no-model", warmup=stereo)
