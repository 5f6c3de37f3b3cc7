"""The detector file: built from a corpus folder, skipped when current, refused when stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voc.signals.artefact import (
    DETECTOR_FILE,
    MANIFEST_FILE,
    DetectorUnavailableError,
    build_detector,
    load_detector,
)
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES

LINES = [
    ("vc-a", "料金が高すぎます", "value_complaint"),
    ("vc-a", "毎月の料金が高すぎて困ります", "value_complaint"),
    ("vc-b", "この値段だと割に合わないです", "value_complaint"),
    ("vc-b", "この金額では割に合わないと思う", "value_complaint"),
    ("ch-a", "解約したいんですが", "churn_intent"),
    ("ch-a", "来月で解約したいです", "churn_intent"),
    ("ch-b", "もうやめようと思っています", "churn_intent"),
    ("ch-b", "そろそろやめようかと思ってます", "churn_intent"),
    ("neu-a", "住所を変更したいです", None),
    ("neu-a", "支払い方法を変更したいです", None),
    ("neu-b", "いつもありがとうございます", None),
    ("neu-b", "丁寧に教えていただき助かりました", None),
]


def write_corpus(folder: Path, copies: int = 2) -> None:
    rows = []
    for n in range(copies):
        for i, (family, text, signal) in enumerate(LINES):
            labels = {s: int(s == signal) for s in SIGNAL_TYPES}
            rows.append(
                {
                    "id": f"{family}-{n}-{i}",
                    "family": f"{family}-{n}",
                    "speaker": "customer",
                    "text": text if n == 0 else f"えーと、{text}",
                    "labels": labels,
                    "sentiment": "negative" if signal else "neutral",
                }
            )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )


def test_build_then_skip_then_rebuild_when_the_corpus_changes(
    tmp_path: Path, analyzer: UtteranceAnalyzer
) -> None:
    write_corpus(tmp_path)
    path = build_detector(tmp_path, tmp_path, analyzer, {"encoder": "none"})
    built = path.stat().st_mtime_ns
    detector = load_detector(path)
    (row,) = detector.predict([analyzer("料金が高すぎます")])
    assert row[SIGNAL_TYPES.index("value_complaint")] == 1
    assert build_detector(tmp_path, tmp_path, analyzer, {"encoder": "none"}).stat().st_mtime_ns == built
    write_corpus(tmp_path, copies=3)
    assert build_detector(tmp_path, tmp_path, analyzer, {"encoder": "none"}).stat().st_mtime_ns != built


def test_a_detector_built_by_other_library_versions_is_refused_with_the_fix(
    tmp_path: Path, analyzer: UtteranceAnalyzer
) -> None:
    write_corpus(tmp_path)
    path = build_detector(tmp_path, tmp_path, analyzer, {"encoder": "none"})
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest["versions"]["scikit-learn"] = "0.0.1"
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(DetectorUnavailableError, match="voc models build"):
        load_detector(path)


def test_a_missing_detector_names_the_command_that_builds_it(tmp_path: Path) -> None:
    with pytest.raises(DetectorUnavailableError, match="voc models build"):
        load_detector(tmp_path / DETECTOR_FILE)
