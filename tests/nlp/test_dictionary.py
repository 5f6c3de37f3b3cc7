from __future__ import annotations

import sys
from pathlib import Path

import pytest

from voc.nlp.dictionary import create_tagger, system_dicdir, tagger_args


def test_system_dicdir_is_unidic_lite() -> None:
    import unidic_lite

    assert system_dicdir() == Path(unidic_lite.DICDIR)
    assert (system_dicdir() / "sys.dic").is_file()


def test_tagger_reads_unidic_lite_dictionary_only() -> None:
    tagger = create_tagger()
    files = [Path(info["filename"]) for info in tagger.dictionary_info]
    assert files == [system_dicdir() / "sys.dic"]
    assert "unidic" not in sys.modules  # the full `unidic` package is never consulted


def test_tagger_adds_user_dictionary(user_dic: Path) -> None:
    files = [Path(info["filename"]) for info in create_tagger(user_dic).dictionary_info]
    assert files == [system_dicdir() / "sys.dic", user_dic]


def test_args_name_the_dicdir_explicitly() -> None:
    assert f"-d {system_dicdir()}" in tagger_args()


def test_missing_user_dictionary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="voc models build"):
        tagger_args(tmp_path / "missing.dic")
