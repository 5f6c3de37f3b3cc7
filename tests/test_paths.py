"""Default locations do not depend on the current folder: a checkout keeps var/ and models/ next to the
code; an installed voc uses one data directory (the user data dir, or VOC_DATA_DIR) with the models in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from voc import paths
from voc.settings import Settings


def test_a_checkout_keeps_its_folders_whatever_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOC_DATA_DIR", raising=False)
    settings = Settings(_env_file=None)
    assert settings.data_dir == REPO / "var"
    assert settings.asr.model_dir == REPO / "models" / "whisper-base"
    assert settings.nlp.domain_terms == REPO / "models" / "nlp" / "domain_terms.tsv"
    assert settings.signals.model_dir == REPO / "models" / "signals"


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """As if voc were installed from the wheel, with HOME at an empty folder."""
    monkeypatch.setattr(paths, "source_checkout", lambda: None)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    for name in ("VOC_DATA_DIR", "VOC_MODELS_DIR", "VOC_ASR__MODEL_DIR", "VOC_SIGNALS__MODEL_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home" / ".local" / "share" / "voc"


def test_an_installed_voc_uses_the_user_data_directory(installed: Path) -> None:
    settings = Settings(_env_file=None)
    assert settings.data_dir == installed
    assert settings.resolved_database_url == f"sqlite:///{installed}/voc.db"
    assert settings.asr.model_dir == installed / "models" / "whisper-base"
    assert settings.nlp.user_dictionary == installed / "models" / "nlp" / "user.dic"
    assert settings.signals.model_dir == installed / "models" / "signals"


def test_the_data_directory_moves_the_models_unless_a_path_is_set_on_its_own(
    installed: Path, tmp_path: Path
) -> None:
    moved = Settings(_env_file=None, data_dir=tmp_path / "srv")
    assert moved.asr.model_dir == tmp_path / "srv" / "models" / "whisper-base"
    own = Settings(
        _env_file=None, data_dir=tmp_path / "srv", models_dir=tmp_path / "m", asr={"model_dir": "/x"}
    )
    assert own.asr.model_dir == Path("/x") and own.nlp.polarity == tmp_path / "m" / "nlp" / "polarity.tsv"


def test_shipped_assets_are_copied_once_into_the_models_directory(tmp_path: Path) -> None:
    dest = tmp_path / "models"
    written = paths.install_bundled_assets(dest)
    assert dest / "nlp" / "domain_terms.tsv" in written
    assert (dest / "whisper-base" / "manifest.json").is_file()
    assert (dest / "signals" / "corpus.jsonl").is_file()
    assert paths.install_bundled_assets(dest) == []
