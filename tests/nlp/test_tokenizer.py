from __future__ import annotations

import pickle
import warnings
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from voc.nlp.filters import FILLERS, NEVER_STOPWORDS, STOPWORDS
from voc.nlp.tokenizer import JapaneseTokenizer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("この機能は使えない", "使える_NEG"),
        ("料金は高くない", "高い_NEG"),
        ("料金は高くはない", "高い_NEG"),
        ("料金は高くありません", "高い_NEG"),
        ("前のプランは安くなかった", "安い_NEG"),
        ("解約はできません", "できる_NEG"),
        ("理由も分からず困った", "分かる_NEG"),
        ("サービスに満足していない", "満足_NEG"),
        ("全然満足ではない", "満足_NEG"),
        ("電話が繋がらないんです", "繋がる_NEG"),
    ],
)
def test_negation_is_fused_onto_the_negated_word(tok: JapaneseTokenizer, text: str, expected: str) -> None:
    tokens = tok(text)
    assert expected in tokens
    assert expected.removesuffix("_NEG") not in tokens
    assert "ない" not in tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("すみません", "すみません"),
        ("すいません、確認します", "すみません"),
        ("申し訳ございません", "申し訳ない"),
        ("大変申し訳ありません", "申し訳ない"),
        ("それで問題ないです", "問題ない"),
        ("明日でも構わない", "構わない"),
        ("請求額は間違いない", "間違いない"),
    ],
)
def test_fixed_expressions_are_not_negation(tok: JapaneseTokenizer, text: str, expected: str) -> None:
    tokens = tok(text)
    assert expected in tokens
    assert not [t for t in tokens if t.endswith("_NEG")]


@pytest.mark.parametrize("word", ["もったいない", "つまらない", "足りない"])
def test_inherently_negative_words_stay_words(tok: JapaneseTokenizer, word: str) -> None:
    tokens = tok(f"データ容量が{word}")
    assert word in tokens
    assert not [t for t in tokens if t.endswith("_NEG")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("使えないわけではない", "使える"),
        ("高くないことはない", "高い"),
        ("毎月使わなければならない", "使う"),
    ],
)
def test_double_negation_flips_back(tok: JapaneseTokenizer, text: str, expected: str) -> None:
    tokens = tok(text)
    assert expected in tokens
    assert not [t for t in tokens if t.endswith("_NEG")]


@pytest.mark.parametrize(
    ("text", "features"),
    [
        ("料金が高すぎる", ["高い", "EXCESS:高い"]),
        ("今月で解約したいです", ["解約", "DESIRE:解約"]),
        ("格安SIMに乗り換えたい", ["乗り換える", "DESIRE:乗り換える"]),
        ("もう少し安くしてほしい", ["安い", "REQUEST:安い"]),
        ("安くしてください", ["REQUEST:安い"]),
        ("他社の方が安い", ["他社", "安い", "COMPARE:他社>安い"]),
        ("他社の方が料金が安いですね", ["COMPARE:他社>安い"]),
        ("ソラテルより安い", ["COMPARE:ソラテル>安い"]),
        ("解約したくないです", ["解約_NEG", "DESIRE:解約_NEG"]),
    ],
)
def test_constructions_become_features(tok: JapaneseTokenizer, text: str, features: list[str]) -> None:
    tokens = tok(text)
    assert [t for t in tokens if t in features] == features


def test_features_can_be_switched_off(user_dic: Path) -> None:
    plain = JapaneseTokenizer(user_dic=user_dic, features=False)
    assert plain("料金が高すぎるので解約したい") == ["料金", "高い", "解約"]


def test_compound_nouns_are_joined(tok: JapaneseTokenizer) -> None:
    assert tok("新しい料金体系と回線速度の確認") == ["新しい", "料金体系", "回線速度", "確認"]
    assert tok("お客様の手数料") == ["客", "手数料"]
    # product and competitor names stay separate entities
    assert tok("ミライモバイルサポートセンター") == ["ミライモバイル", "サポートセンター"]


def test_numbers_do_not_join_but_yen_stays(tok: JapaneseTokenizer) -> None:
    assert tok("月額3000円です") == ["月額", "円"]


def test_domain_terms_are_single_tokens(tok: JapaneseTokenizer) -> None:
    assert tok("コスパが悪い、二重請求されました") == ["コスパ", "悪い", "二重請求"]
    assert tok("サポートセンターの通信速度と費用対効果") == ["サポートセンター", "通信速度", "費用対効果"]


def test_fillers_and_function_words_are_dropped(tok: JapaneseTokenizer) -> None:
    assert tok("えーと、あのー、まあその料金プランがですね、高いんですよ") == ["料金プラン", "高い"]
    assert tok("えー、うーん、なんか") == []


def test_stopword_list_keeps_complaint_words() -> None:
    assert not (STOPWORDS | FILLERS) & NEVER_STOPWORDS


def test_complaint_words_are_kept(tok: JapaneseTokenizer) -> None:
    assert tok("お金がない") == ["金", "ない"]
    assert tok("いい感じですが高い") == ["いい", "感じ", "高い"]


def test_loanword_gloss_is_stripped(tok: JapaneseTokenizer) -> None:
    assert tok("サポートに電話") == ["サポート", "電話"]
    assert not [t for t in tok("センターのプランとネット") if "-" in t]


def test_potential_form_is_kept(tok: JapaneseTokenizer) -> None:
    assert tok("ここで使える") == ["使える"]
    assert tok("ここで使う") == ["使う"]


def test_unknown_words_fall_back_to_surface(tok: JapaneseTokenizer) -> None:
    assert "ポヨモ" in tok("ポヨモのアプリ")


def test_nfkc_normalisation_with_offsets_into_the_original(tok: JapaneseTokenizer) -> None:
    text = "ＡＢＣの料金は１２３円、ﾗｲﾄﾌﾟﾗﾝのｺｽﾊﾟ"
    tokens = tok.analyze(text)
    assert [t.text for t in tokens] == ["ABC", "料金", "円", "ライトプラン", "コスパ"]
    for t in tokens:
        assert text[t.start : t.end] == t.surface
    assert tokens[0].surface == "ＡＢＣ"
    assert tokens[3].surface == "ﾗｲﾄﾌﾟﾗﾝ"


def test_rich_tokens_carry_negation_and_spans(tok: JapaneseTokenizer) -> None:
    text = "正直、この機能は使えないです"
    (word,) = [t for t in tok.analyze(text) if t.lemma == "使える"]
    assert word.negated and word.text == "使える_NEG" and word.pos == "動詞"
    assert text[word.start : word.end] == word.surface
    assert word.surface.startswith("使えない")
    feature = next(t for t in tok.analyze("他社の方が安い") if t.kind == "feature")
    assert feature.surface == "他社の方が安い"


ALPHABET = "あいう高安くないすぎたＡｱﾞ１ 　\n料金プランコスパ、。!"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=30))
def test_offsets_always_match_the_original(tok: JapaneseTokenizer, text: str) -> None:
    for t in tok.analyze(text):
        assert text[t.start : t.end] == t.surface
        assert 0 <= t.start <= t.end <= len(text)


def test_pickled_tokenizer_gives_identical_output(tok: JapaneseTokenizer) -> None:
    text = "料金プランが高すぎるので他社に乗り換えたい"
    before = tok(text)
    copy = pickle.loads(pickle.dumps(tok))
    assert copy._tagger is None
    assert copy(text) == before


def test_sklearn_clone_and_params(tok: JapaneseTokenizer) -> None:
    params = tok.get_params()
    assert set(params) == {"user_dic", "features"}
    cloned = clone(tok)
    assert cloned.get_params() == params
    assert cloned.fit(["x"]) is cloned
    assert cloned.transform(["コスパが悪い"]) == [["コスパ", "悪い"]]


def test_tfidf_vectorizer_without_warnings(tok: JapaneseTokenizer) -> None:
    docs = ["料金が高い", "料金プランが高すぎる", "他社の方が安い", "円が高い"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vec = TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False)
        matrix = vec.fit_transform(docs)
    vocab = set(vec.get_feature_names_out())
    assert {"高い", "円", "EXCESS:高い", "COMPARE:他社>安い", "料金プラン"} <= vocab
    assert matrix.shape == (4, len(vocab))
