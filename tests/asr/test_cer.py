from __future__ import annotations

import pytest

from voc.asr.cer import cer, edit_distance, normalize_for_cer


def test_normalisation_drops_spacing_punctuation_and_width() -> None:
    assert (
        normalize_for_cer("お電話、ありがとう ございます。ＡＢＣ１２３！")
        == "お電話ありがとうございますABC123"
    )


def test_edit_distance() -> None:
    assert edit_distance("料金が高い", "料金は高い") == 1
    assert edit_distance("", "abc") == 3
    assert edit_distance("kitten", "sitting") == 3


def test_cer_is_relative_to_the_reference() -> None:
    assert cer("他社の方が安い。", "出車の方が安い") == pytest.approx(2 / 7)
    assert cer("はい。", "はい") == 0.0
    assert cer("", "") == 0.0
    assert cer("", "はい") == 1.0
