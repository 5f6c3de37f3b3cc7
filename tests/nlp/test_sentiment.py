from __future__ import annotations

from pathlib import Path

import pytest

from voc.nlp.sentiment import Lexicon, load_lexicon, score_sentiment
from voc.nlp.tokenizer import JapaneseTokenizer

LABELLED = [
    # value and service complaints
    ("料金が高すぎる", "negative"),
    ("今の料金プランは高いです", "negative"),
    ("他社の方が安いので乗り換えたい", "negative"),
    ("二重請求されていて困っています", "negative"),
    ("通信速度が遅くて使えない", "negative"),
    ("サービスに満足していません", "negative"),
    ("コスパが悪い", "negative"),
    ("来月で解約したいです", "negative"),
    # praise
    ("サポートの対応がとても丁寧で助かりました", "positive"),
    ("料金が安くて満足しています", "positive"),
    ("前より速くなって快適です", "positive"),
    ("使いやすくて便利です", "positive"),
    ("ありがとうございます、よく分かりました", "positive"),
    # neutral inquiries and apologies
    ("料金プランについて確認したいのですが", "neutral"),
    ("住所変更の手続きを教えてください", "neutral"),
    ("申し訳ございません", "neutral"),
    ("お待たせして申し訳ありません", "neutral"),
    ("すみません、請求書の見方を教えてください", "neutral"),
    ("明日の午後に折り返しお願いします", "neutral"),
    ("スムーズに手続きできて嬉しいです", "positive"),
]


@pytest.mark.parametrize(("text", "label"), LABELLED)
def test_labelled_sentences(tok: JapaneseTokenizer, lexicon: Lexicon, text: str, label: str) -> None:
    assert score_sentiment(tok(text), lexicon).label == label


def test_negated_price_complaint_is_not_negative(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    assert score_sentiment(tok("料金は高くないと思います"), lexicon).label != "negative"


def test_high_is_negative_only_about_price(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    assert score_sentiment(tok("料金が高い"), lexicon).label == "negative"
    assert score_sentiment(tok("背が高い"), lexicon).label == "neutral"


def test_matches_explain_the_label(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    result = score_sentiment(tok("料金が高すぎるし満足していない"), lexicon)
    assert result.label == "negative"
    assert dict(result.matches) == {"高い": -1, "EXCESS:高い": -1, "満足_NEG": -1}
    assert result.score == -3


def test_competitor_comparison_is_negative(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    result = score_sentiment(tok("ソラテルの方が速い"), lexicon)
    assert result.label == "negative"
    assert result.matches == (("COMPARE:ソラテル>早い", -1),)


def test_lexicon_rejects_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("高い\tbad\tany\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_lexicon(path)
