"""The committed training corpus is what its generator writes, and it holds what the detector needs."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from voc.signals.artefact import CORPUS_FILE, HEARD_FILE, load_training_set
from voc.signals.rules import SIGNAL_TYPES

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "models" / "signals"


def test_the_corpus_is_regenerated_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / CORPUS_FILE
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_signal_corpus.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert out.read_bytes() == (CORPUS_DIR / CORPUS_FILE).read_bytes()


def test_every_signal_has_many_families_and_the_heard_copies_keep_their_labels() -> None:
    data = load_training_set(CORPUS_DIR)
    families: dict[str, set[str]] = {s: set() for s in SIGNAL_TYPES}
    for item in data.clean:
        for signal in SIGNAL_TYPES:
            if item.label(signal):
                families[signal].add(item.family)
    assert all(len(f) >= 30 for f in families.values()), {s: len(f) for s, f in families.items()}
    kinds = Counter(u.kind for u in data.clean)
    assert kinds["decoy"] >= 300 and kinds["operator"] >= 300
    assert len(data.clean) >= 3000
    # Heard lines are Whisper's renderings of clean lines: same family, same labels, other words.
    by_id = {u.id: u for u in data.clean}
    assert (CORPUS_DIR / HEARD_FILE).is_file() and len(data.heard) >= 300
    for heard in data.heard:
        clean = by_id[heard.id.removesuffix("#heard")]
        assert (heard.family, heard.labels, heard.sentiment) == (clean.family, clean.labels, clean.sentiment)
    assert sum(h.text != by_id[h.id.removesuffix("#heard")].text for h in data.heard) > len(data.heard) / 2
