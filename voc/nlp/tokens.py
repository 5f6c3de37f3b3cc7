"""The rich token returned by ``JapaneseTokenizer.analyze`` and the naming of token strings.

Token strings (``Token.text``, what ``JapaneseTokenizer.__call__`` returns and TF-IDF counts):
- a word: its normalised form (``料金プラン``, ``使える``, ``高い``);
- a negated word: ``<form>_NEG`` (``使える_NEG``, ``高い_NEG``, ``できる_NEG``, ``満足_NEG``);
- a fixed expression or inherently negative word, never ``_NEG``: ``すみません``, ``申し訳ない``,
  ``問題ない``, ``構わない``, ``間違いない``, ``もったいない``, ``つまらない``, ``足りない``, ``仕方ない``;
- construction features, added right after the word they belong to (the word itself is kept too):
  ``EXCESS:<word>`` (高すぎる → ``高い``, ``EXCESS:高い``), ``DESIRE:<word>`` (解約したい → ``DESIRE:解約``),
  ``REQUEST:<word>`` (安くしてほしい / 安くしてください → ``REQUEST:安い``),
  ``COMPARE:<other>><word>`` (他社の方が安い, 他社より安い → ``COMPARE:他社>安い``).
  Inside a negated chunk the word part carries ``_NEG``: 解約したくない → ``DESIRE:解約_NEG``.
  ``RHETORICAL:<word>``: a rhetorical question, which asserts rather than denies: 高くないですか →
  ``高い``, ``RHETORICAL:高い``; おかしいじゃないですか → ``おかしい``, ``RHETORICAL:おかしい``;
  高すぎると思いませんか → ``高い``, ``EXCESS:高い`` (思う is a stopword; no ``思う_NEG``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NEG_SUFFIX = "_NEG"
FEATURE_POS = "FEATURE"
TokenKind = Literal["word", "fixed", "feature"]
FeatureKind = Literal["EXCESS", "DESIRE", "REQUEST", "COMPARE", "RHETORICAL"]


@dataclass(frozen=True, slots=True)
class Token:
    """``start``/``end`` index the caller's original text; ``surface == original[start:end]``.

    For a negated word or a construction the span covers the whole chunk (使えない, 解約したい).
    """

    text: str
    surface: str
    lemma: str
    pos: str
    start: int
    end: int
    negated: bool = False
    kind: TokenKind = "word"
    money: bool = False  # the word names money (料金, 手数料, 円; not 無料, 料理, 資料): ``voc.nlp.money``


def word_text(lemma: str, negated: bool) -> str:
    return lemma + NEG_SUFFIX if negated else lemma


def feature_text(kind: FeatureKind, word: str, other: str | None = None) -> str:
    return f"{kind}:{other}>{word}" if other is not None else f"{kind}:{word}"
