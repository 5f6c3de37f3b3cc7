"""Lexicon baseline for utterance sentiment: ``negative`` | ``neutral`` | ``positive``, with reasons.

Scored from the tokenizer's token strings (``voc.nlp.tokens``), so negation is already resolved:
- a listed token scores its polarity (+1 / -1 / 0); an unlisted ``X_NEG`` scores minus the polarity of
  ``X`` (高くない is not negative, 満足していない is negative);
- ``price`` entries (高い) count only when the utterance mentions money (料金, 円, プラン, 請求 …;
  ``voc.nlp.money``: 金曜日, 料理, 資料 and 無料 are not money);
- ``EXCESS:X`` is a complaint (-1) unless negated; ``COMPARE:R>Y`` with a rival R (他社, a competitor)
  and a positive Y is -1 (the rival is better) and the word Y itself is then not scored; with any other
  R it scores like Y (前より速い);
- apologies (すみません, 申し訳ない) are listed as neutral: an apology by itself is neutral.
Every scored token is returned in ``matches`` so an analyst can see why.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from voc.nlp.money import is_money_word, mentions_money
from voc.nlp.tokens import NEG_SUFFIX, Token

logger = logging.getLogger(__name__)

Label = Literal["negative", "neutral", "positive"]
_VALUES = {"positive": 1, "negative": -1, "neutral": 0}
DEFAULT_RIVALS = frozenset({"他社", "他キャリア", "格安SIM"})


@dataclass(frozen=True, slots=True)
class Lexicon:
    """``polarity[token]`` in {-1, 0, 1}; ``price_only`` tokens count only in a price context."""

    polarity: dict[str, int]
    price_only: frozenset[str] = frozenset()
    rivals: frozenset[str] = DEFAULT_RIVALS


@dataclass(frozen=True, slots=True)
class Sentiment:
    label: Label
    score: int
    matches: tuple[tuple[str, int], ...] = field(default=())


def load_lexicon(path: str | Path, rivals: Iterable[str] = ()) -> Lexicon:
    """Load ``polarity.tsv``; ``rivals`` adds competitor names (e.g. the competitor terms)."""
    polarity: dict[str, int] = {}
    price_only: set[str] = set()
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith("token\t"):
            continue
        cols = line.split("\t")
        if len(cols) != 3 or cols[1] not in _VALUES or cols[2] not in ("any", "price"):
            raise ValueError(f"{path}:{number}: expected token, polarity, context: {line!r}")
        polarity[cols[0]] = _VALUES[cols[1]]
        if cols[2] == "price":
            price_only.add(cols[0])
    return Lexicon(polarity, frozenset(price_only), DEFAULT_RIVALS | frozenset(rivals))


def _word_polarity(token: str, lexicon: Lexicon, price: bool) -> int | None:
    def lookup(t: str) -> int | None:
        if t in lexicon.price_only and not price:
            return 0
        return lexicon.polarity.get(t)

    direct = lookup(token)
    if direct is not None or not token.endswith(NEG_SUFFIX):
        return direct
    base = lookup(token.removesuffix(NEG_SUFFIX))
    return None if base is None else -base


def _feature_polarity(token: str, lexicon: Lexicon, price: bool) -> int | None:
    kind, _, rest = token.partition(":")
    if kind == "EXCESS":
        return 0 if rest.endswith(NEG_SUFFIX) else -1
    if kind == "COMPARE":
        other, _, word = rest.partition(">")
        value = _word_polarity(word, lexicon, price) or 0
        if other in lexicon.rivals:
            return -1 if value > 0 else value
        return value
    return None


def score_sentiment(
    tokens: Sequence[str] | Sequence[Token], lexicon: Lexicon, *, price: bool | None = None
) -> Sentiment:
    """Label one utterance from its tokens: the strings, or the rich tokens of ``analyze``.

    ``price``: does the utterance talk about money? ``None`` decides from the tokens: rich tokens know
    money compounds such as 利用料 (``Token.money``), strings only whole money words (料金, 円 …).
    """
    rich = [t for t in tokens if isinstance(t, Token)]
    strings = [t.text if isinstance(t, Token) else t for t in tokens]
    if price is None:
        price = mentions_money(rich) or any(is_money_word(t) for t in strings)
    return _score(strings, lexicon, price)


def _score(tokens: list[str], lexicon: Lexicon, price: bool) -> Sentiment:
    # In 他社の方が安い the word 安い praises the rival: only its COMPARE feature is scored.
    about_rival = [
        word for t in tokens if t.startswith("COMPARE:") for other, _, word in [t[8:].partition(">")]
        if other in lexicon.rivals
    ]  # fmt: skip
    matches: list[tuple[str, int]] = []
    for token in tokens:
        if token in about_rival:
            about_rival.remove(token)
            continue
        value = _word_polarity(token, lexicon, price)
        if value is None and ":" in token:
            value = _feature_polarity(token, lexicon, price)
        if value is not None:
            matches.append((token, value))
    score = sum(v for _, v in matches)
    label: Label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return Sentiment(label, score, tuple(matches))
