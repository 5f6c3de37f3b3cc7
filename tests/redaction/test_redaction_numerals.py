"""Spoken and written Japanese numbers read back as the digits the caller said."""

from __future__ import annotations

import pytest

from voc.redaction.numerals import normalize_digits, scan_digit_runs, scan_numerals, to_digits


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("0901234", "0901234"),
        ("０９０１２３４", "0901234"),
        ("〇九〇", "090"),
        ("零三", "03"),
        ("九千八百", "9800"),
        ("千二百三十四", "1234"),
        ("二万", "20000"),
        ("十二万三千", "123000"),
        ("千二十", "1020"),
        ("3千", "3000"),
        ("ゼロキューゼロ", "090"),
        ("マルイチニーサン", "0123"),
        ("ゴーロクナナハチ", "5678"),
        ("いちにさんよん", "1234"),
        ("ぜろきゅうぜろ", "090"),
        ("090-1234-5678", "09012345678"),
        ("〇九〇の一二三四の五六七八", "09012345678"),
        ("090 1234 5678", "09012345678"),
        ("090　1234　5678", "09012345678"),
        ("090ー1234ー5678", "09012345678"),
        ("090－1234―5678", "09012345678"),
        ("090、1234、5678", "09012345678"),
        ("090.1234.5678", "09012345678"),
        ("090ハイフン1234ハイフン5678", "09012345678"),
        ("〇九〇の千二百三十四の五千六百七十八", "09012345678"),
        ("ゼロキューゼロの1234の五六七八", "09012345678"),
    ],
)
def test_numbers_in_every_form_read_as_their_digits(text: str, digits: str) -> None:
    assert to_digits(text) == digits


@pytest.mark.parametrize("text", ["サンプル", "キャンセル", "ありがとうございます", "万が一", "山田さん"])
def test_ordinary_words_are_not_numbers(text: str) -> None:
    assert to_digits(text) is None


def test_positional_kanji_right_after_kanji_digits_is_its_own_group() -> None:
    assert [t.digits for t in scan_numerals("〇九〇千二百三十四")] == ["090", "1234"]


def test_runs_keep_the_span_of_what_was_said() -> None:
    text = "番号は090の1234の5678です。月額9800円です"
    runs = scan_digit_runs(text)
    assert [r.digits for r in runs] == ["09012345678", "9800"]
    assert text[runs[0].start : runs[0].end] == "090の1234の5678"
    assert [g.digits for g in runs[0].groups] == ["090", "1234", "5678"]


def test_fillers_between_groups_do_not_break_a_run() -> None:
    (run,) = scan_digit_runs("090の、えーと、1234の5678")
    assert run.digits == "09012345678"


def test_a_word_between_numbers_breaks_the_run() -> None:
    assert [r.digits for r in scan_digit_runs("3980円で2年契約")] == ["3980", "2"]


def test_windows_cover_every_contiguous_slice_in_the_length_range() -> None:
    (run,) = scan_digit_runs("1 090 1234 5678")
    assert {w.digits for w in run.windows(11, 11)} == {"09012345678"}


def test_normalize_digits_rewrites_only_the_numbers() -> None:
    assert normalize_digits("カード番号は四一一一の一一一一です") == "カード番号は4111の1111です"
    assert normalize_digits("月額九千八百円") == "月額9800円"
