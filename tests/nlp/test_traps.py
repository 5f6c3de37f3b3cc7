"""Tokenizer traps seen in real customer sentences: rhetorical questions, compounds that swallow an
evaluative word, spelling variants of domain terms, and money kanji inside other words.

The sentences are written for these tests (none comes from examples/).
"""

from __future__ import annotations

import pytest

from voc.nlp.money import is_money_word, mentions_money
from voc.nlp.normalize import normalize
from voc.nlp.sentiment import Lexicon, score_sentiment
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.vocabulary import hotwords, is_variant, load_terms


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("毎月この額って高すぎると思いませんか", "高い"),
        ("これって正直高くないですか", "高い"),
        ("請求が二回来るなんておかしいじゃないですか", "おかしい"),
        ("さすがに遅いんじゃないですか？", "遅い"),
        ("この値段はちょっと高いのではないでしょうか", "高い"),
        ("手続きがややこしくないですか？", "ややこしい"),
        ("画面が見にくくありませんか", "見にくい"),
        ("あまりに不便じゃないですか", "不便"),
        ("これじゃ遅いでしょう？", "遅い"),
    ],
)
def test_a_rhetorical_question_asserts_instead_of_denying(
    tok: JapaneseTokenizer, text: str, word: str
) -> None:
    tokens = tok(text)
    assert word in tokens
    assert f"{word}_NEG" not in tokens
    assert "思う_NEG" not in tokens and "ない" not in tokens
    assert f"RHETORICAL:{word}" in tokens or "EXCESS:高い" in tokens


def test_a_rhetorical_question_keeps_a_real_negation_inside(tok: JapaneseTokenizer) -> None:
    # "It doesn't work at all, does it!": the 使えない stays negated, only the tag question is dropped.
    tokens = tok("これじゃ全然使えないじゃないですか")
    assert "使える_NEG" in tokens and "RHETORICAL:使える_NEG" in tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("他に何か問題はありませんか", "問題ない"),  # the operator's neutral question
        ("ほかにご質問はございませんか", "質問_NEG"),
        ("この機種ではアプリは使えないですか", "使える_NEG"),
        ("今月中に解約できませんか", "できる_NEG"),
        ("料金は高くないですよね", "高い_NEG"),  # seeks agreement with the negation
        ("高いんじゃなくて、使いにくいんです", "使いにくい"),
    ],
)
def test_genuine_negated_questions_stay_negated(tok: JapaneseTokenizer, text: str, expected: str) -> None:
    tokens = tok(text)
    assert expected in tokens
    assert not [t for t in tokens if t.startswith("RHETORICAL:")]


def test_a_plain_question_is_not_rhetorical(tok: JapaneseTokenizer) -> None:
    assert tok("料金は高いでしょうか") == ["料金", "高い"]


def test_rhetorical_complaints_score_negative(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    for text in (
        "この料金、高すぎると思いませんか",
        "月額料金が高くないですか",
        "料金が高いんじゃないですか",
    ):
        assert score_sentiment(tok(text), lexicon).label == "negative", text


@pytest.mark.parametrize(
    ("text", "noun", "evaluation"),
    [
        ("正直コスパ最悪です", "コスパ", "最悪"),
        ("サポート最高でした", "サポート", "最高"),
        ("対応不満です", "対応", "不満"),
        ("画質微妙ですね", "画質", "微妙"),
        ("料金高めなんですよね", "料金", "高め"),
        ("アプリ不便すぎ", "アプリ", "不便"),
        ("料金高すぎ", "料金", "高い"),  # UniDic reads 高 as the suffix of 売上高 here
    ],
)
def test_compounds_keep_the_evaluative_word_apart(
    tok: JapaneseTokenizer, text: str, noun: str, evaluation: str
) -> None:
    tokens = tok(text)
    assert noun in tokens and evaluation in tokens
    assert noun + evaluation not in tokens


def test_names_that_start_with_an_evaluative_noun_still_join(tok: JapaneseTokenizer) -> None:
    assert "最低料金" in tok("最低料金はいくらですか")
    assert "料金プラン" in tok("料金プランを変えたい")


def test_evaluative_word_is_scored_once_split(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    assert score_sentiment(tok("コスパ最悪"), lexicon).label == "negative"
    assert score_sentiment(tok("サポート最高"), lexicon).label == "positive"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("コストパフォーマンスが悪い", "コスパ"),
        ("コスト・パフォーマンスが悪い", "コスパ"),
        ("ｺｽﾄﾊﾟﾌｫｰﾏﾝｽが悪い", "コスパ"),  # half-width katakana
        ("コストパフォ－マンスが悪い", "コスパ"),  # full-width minus for ー
        ("コスパが悪い", "コスパ"),
        ("ｺｽﾊﾟが悪い", "コスパ"),
        ("サポが遅い", "サポート"),
        ("サポートが遅い", "サポート"),
        ("サポ〜トセンタに電話した", "サポートセンター"),  # wave dash, missing final ー
        ("サポーートセンターに電話した", "サポートセンター"),
        ("格安ＳＩＭに変える", "格安SIM"),
        ("格安simに変える", "格安SIM"),
        ("格安シムに変える", "格安SIM"),
        ("スマートフォンが壊れた", "スマホ"),
        ("機種変したい", "機種変更"),
        ("費用対効果が悪い", "費用対効果"),
    ],
)
def test_spelling_variants_of_domain_terms_become_one_form(
    tok: JapaneseTokenizer, text: str, form: str
) -> None:
    assert form in tok(text)


def test_variant_offsets_still_point_at_what_was_written(tok: JapaneseTokenizer) -> None:
    text = "サポーーートが遅い"
    first = tok.analyze(text)[0]
    assert first.text == "サポート" and first.surface == "サポーーート"
    assert text[first.start : first.end] == first.surface
    norm = normalize("ユーザｰ－〜様")
    assert norm.text == "ユーザー様"
    assert norm.to_original(0, 4) == (0, 6)


def test_long_vowel_lookalikes_elsewhere_are_kept() -> None:
    assert normalize("090-1234 A-1 〜3日").text == "090-1234 A-1 〜3日"


def test_variants_are_not_asr_hotwords() -> None:
    from voc.nlp.assets import DOMAIN_TERMS_PATH

    terms = load_terms(DOMAIN_TERMS_PATH)
    variants = [t for t in terms if is_variant(t)]
    assert {t.surface for t in variants} >= {"コストパフォーマンス", "サポ"}
    words = hotwords(terms, max_chars=10_000).split("、")
    assert "コスパ" in words
    assert not {t.surface for t in variants} & set(words)


@pytest.mark.parametrize(
    "text",
    [
        "金曜日に高い山に登りました",
        "料理が高級すぎて驚きました",
        "会議の資料が多すぎます",
        "無料で使えるのがいいですね",
        "学生時代から使っています",
        "金色の機種がほしいです",
    ],
)
def test_money_kanji_inside_other_words_are_not_money(tok: JapaneseTokenizer, text: str) -> None:
    tokens = tok.analyze(text)
    assert not mentions_money(tokens)
    assert not any(is_money_word(t.text) for t in tokens)


@pytest.mark.parametrize(
    "text",
    [
        "利用料が高いです",
        "通信費がかさみます",
        "電話代がかかりすぎる",
        "入会金を返してほしい",
        "毎月の月額料金",
        "お金がもったいない",
        "三千円もするんです",
        "値上げされました",
        "支払いが大変です",
        "コストパフォーマンスが悪い",
    ],
)
def test_money_words_and_compounds_are_money(tok: JapaneseTokenizer, text: str) -> None:
    assert mentions_money(tok.analyze(text))


def test_excess_after_a_noun_is_a_feature(tok: JapaneseTokenizer) -> None:
    assert tok("アプリ不便すぎ")[1:] == ["不便", "EXCESS:不便"]
    assert tok("月額高すぎる") == ["月額", "高い", "EXCESS:高い"]


def test_a_price_word_needs_money_talk(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    def label(text: str) -> str:
        rich = tok.analyze(text)
        return score_sentiment([t.text for t in rich], lexicon, price=mentions_money(rich)).label

    assert label("金曜日に高い山に登りました") == "neutral"
    assert label("料理の値段が高い") == "negative"
    # 利用料 is money only by its parts (利用 + 料): the rich tokens know it, the strings do not.
    assert label("利用料が高い") == "negative"
    assert score_sentiment(tok("金曜日に高い山に登りました"), lexicon).label == "neutral"
    assert score_sentiment(tok("料金が高い"), lexicon).label == "negative"
    # The rich tokens know 利用料 is money (by its parts), which its string cannot show.
    assert score_sentiment(tok.analyze("利用料が高い"), lexicon).label == "negative"


def test_redaction_placeholders_are_not_words_the_caller_said(tok: JapaneseTokenizer) -> None:
    text = "電話番号は［電話番号］で、住所は［住所］です。［氏名］と申します"
    tokens = tok.analyze(text)
    assert [t.text for t in tokens] == ["電話番号", "住所", "申す"]  # what the caller said, not the masks
    assert all(text[t.start : t.end] == t.surface for t in tokens)
    assert tok("［カード番号］［セキュリティコード］") == []
    # Brackets the caller typed in half width are text like any other.
    assert "電話番号" in tok("[電話番号]")


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("解約とかじゃないです", "解約_NEG"),
        ("不満なんかないです", "不満_NEG"),
        ("高いとかじゃなくて、内訳を知りたいだけです", "高い_NEG"),
        ("やめるとかじゃなくて、プランを見直したいだけ", "止める_NEG"),
    ],
)
def test_softening_particles_keep_the_negation_on_the_word(
    tok: JapaneseTokenizer, text: str, token: str
) -> None:
    assert token in tok(text)
