"""The rule baseline on real Japanese utterances: each signal with and without negation, and decoys."""

from __future__ import annotations

import pytest

from voc.nlp.analyze_text import analyze_text
from voc.nlp.assets import POLARITY_PATH
from voc.nlp.sentiment import load_lexicon
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.rules import SignalLexicon, detect, signal_scores
from voc.signals.text import detect_text_signals


def found(text: str, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> set[str]:
    return {h.signal for h in detect(text, tok.analyze(text), lexicon)}


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("サービスに満足していないです。", "dissatisfaction"),
        ("最近、通信速度が遅くて困っているんです。", "dissatisfaction"),
        ("料金は高くはないんですが、とにかく電波が弱いのが不満です。", "dissatisfaction"),
        ("納得できません。", "dissatisfaction"),
        ("月々の料金が高いんです。", "value_complaint"),
        ("毎日使っているけど、この料金だと割に合わないんですよ。", "value_complaint"),
        ("使う量に対して、値段が見合っていないと思います。", "value_complaint"),
        ("費用対効果が悪いと思います。", "value_complaint"),
        ("正直コスパが悪いです。", "value_complaint"),
        ("また値上げですか。", "value_complaint"),
        ("この金額で払う価値はないですね。", "value_complaint"),
        ("毎月払うお金がもったいないです。", "value_complaint"),
        ("解約したいです。", "churn_intent"),
        ("もうやめたいです。", "churn_intent"),
        ("乗り換えも考えています。", "churn_intent"),
        ("他社の方が安いので。", "competitor_mention"),
        ("競合はもっとサービスがいいですよ。", "competitor_mention"),
        ("ソラテルのほうが速いって聞きました。", "competitor_mention"),
        ("安い会社がいっぱいありますよね。", "competitor_mention"),
        ("使い方がわからないんです。", "feature_struggle"),
        ("正直、使いこなせないです。", "feature_struggle"),
        ("メールの設定ができないんです。", "feature_struggle"),
    ],
)
def test_signal_found(text: str, signal: str, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    assert signal in found(text, tok, lexicon)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("サービスに満足しています。", "dissatisfaction"),
        ("不満はないです。", "dissatisfaction"),
        ("特に困っていません。", "dissatisfaction"),
        ("料金は高くないです。", "value_complaint"),
        ("料金は高くはないんですが。", "value_complaint"),
        ("値段に見合っていると思います。", "value_complaint"),
        ("割に合う買い物でした。", "value_complaint"),
        ("コスパは悪くないです。", "value_complaint"),
        ("料金が高いとは思いません。", "value_complaint"),
        ("品質が高いので気に入っています。", "value_complaint"),
        ("解約したくないです。", "churn_intent"),
        ("解約するつもりはないです。", "churn_intent"),
        ("乗り換えはしません。", "churn_intent"),
        ("他社には興味がないです。", "competitor_mention"),
        ("他社に乗り換えるつもりはないです。", "competitor_mention"),
        ("使い方はわかります。", "feature_struggle"),
        ("設定は難しくないです。", "feature_struggle"),
        ("もう使いこなせています。", "feature_struggle"),
        ("使い方がわからないわけではないんですが。", "feature_struggle"),
    ],
)
def test_negated_or_absent(text: str, signal: str, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    assert signal not in found(text, tok, lexicon)


def test_apology_or_thanks_does_not_mask_a_complaint(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    assert "value_complaint" in found("ありがとうございます。でも正直高すぎます。", tok, lexicon)
    assert "value_complaint" in found("すみません、料金が高すぎると思うんです。", tok, lexicon)
    assert "dissatisfaction" in found("いつもありがとう。でも今回の対応は最悪でした。", tok, lexicon)


def test_an_apology_alone_is_no_dissatisfaction(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    assert found("すみません、申し訳ないんですが、住所を変えたいです。", tok, lexicon) == set()


def test_moving_abroad_is_churn_intent_only(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    text = (
        "来月、海外に引っ越すので解約したいです。今までありがとうございました。サービスには満足していました。"
    )
    assert found(text, tok, lexicon) == {"churn_intent"}


def test_rival_cheaper_is_value_and_competitor(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    text = "他社の方が安いので乗り換えも考えています。"
    assert found(text, tok, lexicon) == {"competitor_mention", "value_complaint", "churn_intent"}


def test_hits_say_which_rule_matched_and_where(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    text = "ありがとうございます。でも正直高すぎます。"
    scores = signal_scores(detect(text, tok.analyze(text), lexicon))
    score, hits = scores["value_complaint"]
    assert 0 < score <= 1
    assert hits[0].rule == "price.excess"
    assert text[hits[0].start : hits[0].end] == hits[0].matched == "高すぎます"


def test_detector_for_analyze_text(tok: JapaneseTokenizer) -> None:
    lexicon = load_lexicon(POLARITY_PATH)
    record = analyze_text("料金が高すぎるので解約したい", tok, lexicon, detect_text_signals)
    assert record["signals"] == ["value_complaint", "churn_intent"]
    assert analyze_text("ハヤブサモバイルに乗り換えたい", tok, lexicon, detect_text_signals)["signals"] == [
        "churn_intent",
        "competitor_mention",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "金曜日に高い山に登りました。",
        "料理が高級すぎてびっくりしました。",
        "会議の資料が高く積まれています。",
        "無料期間が終わるのはいつですか。",
        "学生時代の友達が高い店を選んだんです。",
    ],
)
def test_money_kanji_inside_other_words_raise_no_value_complaint(
    text: str, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    assert "value_complaint" not in found(text, tok, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "電話代が高すぎるんですよ。",
        "毎月の利用料が高いです。",
        "通信費が高いんじゃないですか。",
        "月額料金って高くないですか？",
        "この料金、高すぎると思いませんか。",
        "ｺｽﾄﾊﾟﾌｫｰﾏﾝｽが悪いと思います。",
        "正直コスパ最悪です。",
    ],
)
def test_value_complaints_in_compounds_variants_and_rhetorical_questions(
    text: str, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    assert "value_complaint" in found(text, tok, lexicon)


def test_an_operators_negated_question_is_no_complaint(
    tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    assert found("他に何か問題はありませんか。", tok, lexicon) == set()
    assert found("ご不明な点はございませんか。", tok, lexicon) == set()
