"""``voc bench signals`` end to end on a small corpus folder: numbers per signal, written to the file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from voc.signals.artefact import build_detector
from voc.signals.features import UtteranceAnalyzer

from .test_artefact import write_corpus


def test_bench_writes_held_out_and_independent_scores(tmp_path: Path, analyzer: UtteranceAnalyzer) -> None:
    corpus = tmp_path / "signals"
    write_corpus(corpus, copies=4)
    build_detector(corpus, corpus, analyzer, {"encoder": "none"})
    independent = tmp_path / "independent.jsonl"
    independent.write_text((corpus / "corpus.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    output = tmp_path / "BENCHMARKS.md"
    env = {**os.environ, "VOC_SIGNALS__MODEL_DIR": str(corpus), "VOC_SIGNALS__ENCODER": "none"}
    done = subprocess.run(
        [sys.executable, "-m", "voc.cli.main", "bench", "signals", "--folds", "2", "--transcribe", "0",
         "--independent", str(independent), "--calls", str(tmp_path / "none"), "--output", str(output)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    assert "<!-- bench:signals -->" in text
    for column in ("clean", "independent"):
        assert column in text
    for signal in ("value_complaint", "churn_intent"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {signal} |"))
        assert "**" in row  # the detector's F1 is there, next to the rules'
