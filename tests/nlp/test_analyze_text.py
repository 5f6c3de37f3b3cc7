from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from voc.bench.nlp import bench_tokenizer
from voc.nlp.analyze_text import analyze_text
from voc.nlp.sentiment import Lexicon
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.tokens import Token


def test_record_shape(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    record = analyze_text("料金が高すぎるので解約したい", tok, lexicon)
    assert record == {
        "text": "料金が高すぎるので解約したい",
        "tokens": ["料金", "高い", "EXCESS:高い", "解約", "DESIRE:解約"],
        "sentiment": "negative",
        "signals": [],
    }
    line = json.dumps(record, ensure_ascii=False)
    assert "高すぎる" in line


def test_signal_detector_receives_rich_tokens(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    def churn(text: str, tokens: Sequence[Token]) -> list[str]:
        return ["churn_intent"] if any(t.text == "DESIRE:解約" for t in tokens) else []

    assert analyze_text("解約したい", tok, lexicon, churn)["signals"] == ["churn_intent"]
    assert analyze_text("ありがとう", tok, lexicon, churn)["signals"] == []


def test_empty_text(tok: JapaneseTokenizer, lexicon: Lexicon) -> None:
    assert analyze_text("", tok, lexicon) == {"text": "", "tokens": [], "sentiment": "neutral", "signals": []}


def test_bench_returns_numbers(user_dic: Path) -> None:
    result = bench_tokenizer(["料金プランが高すぎる", "他社の方が安い"], repeats=2, user_dic=user_dic)
    assert result["chars"] == 17
    assert result["repeats"] == 2
    assert result["chars_per_second"] > 0
