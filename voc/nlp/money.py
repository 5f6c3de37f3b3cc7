"""Which words talk about money: whole words and compounds, never a kanji inside another word.

A price word such as 高い is a price complaint only when the utterance talks about money. Looking for the
characters 金 or 料 anywhere fires on 金曜日, 料理, 資料 and 無料; instead a word counts when it is
- a money word by itself (料金, 金額, 値段, 費用, 円, 請求, 払う, 値上げ, コスパ …, ``MONEY_WORDS``), or
- a compound the tokenizer built from a noun and a money suffix (手数 + 料, 通信 + 費, 電話 + 代,
  入会 + 金: UniDic tags those kanji 接尾辞 there, while in 資料 or 金曜 they are part of one word), or
- a compound ending in a money word (月額料金, 初期費用, 機種代金).
無料 (free of charge) and 有料 are about whether something costs, not about its price: not money words.
"""

from __future__ import annotations

from collections.abc import Iterable

from voc.nlp.tokens import NEG_SUFFIX, Token

MONEY_WORDS = frozenset(
    {
        "料金", "金額", "値段", "価格", "費用", "代金", "月額", "年額", "定価", "送料", "会費", "年会費",
        "手数料", "解約金", "違約金", "税金", "現金", "返金", "課金", "入金", "出費", "予算", "家賃",
        "円", "金", "お金", "請求", "請求書", "請求額", "支払い", "支払う", "払う", "払い", "引き落とし",
        "値上げ", "値下げ", "値引き", "割引", "割高", "割安", "高額", "安価", "元値",
        "コスパ", "費用対効果", "料金プラン", "月額料金", "プラン", "コスト",
    }
)  # fmt: skip
# Noun suffixes (接尾辞-名詞的) that make a charge out of a noun: 利用料, 通信費, 電話代, 入会金, 請求額.
MONEY_SUFFIXES = frozenset({"料", "費", "代", "金", "額", "賃"})
_MONEY_ENDINGS = tuple(w for w in MONEY_WORDS if len(w) >= 2)
CURRENCY_SIGNS = ("¥", "￥", "$", "＄", "€")


def is_money_word(word: str) -> bool:
    """A token string (``voc.nlp.tokens``) that names money; ``X_NEG`` counts like ``X``.

    Works on strings alone, so it knows whole words and compounds ending in one; the tokenizer also
    marks noun + money-suffix compounds (``Token.money``), which a string cannot tell from 資料.
    """
    if ":" in word:
        return False
    base = word.removesuffix(NEG_SUFFIX)
    return base in MONEY_WORDS or base.endswith(_MONEY_ENDINGS)


def is_money_suffix(pos1: str, pos2: str, lemma: str) -> bool:
    """A suffix morph that turns the noun before it into a charge (手数 + 料, 通信 + 費)."""
    return pos1 == "接尾辞" and pos2 == "名詞的" and lemma in MONEY_SUFFIXES


def mentions_money(tokens: Iterable[Token]) -> bool:
    """Does any word token (not a feature) name money (``Token.money``, set by the tokenizer)?"""
    return any(t.money for t in tokens if t.kind != "feature")
