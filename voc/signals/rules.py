"""The explainable baseline: lexicon and pattern rules over the tokenizer's tokens, per clause.

Works from the first call, needs no labels, and says which rule matched. Negation comes from the
tokenizer (``高い_NEG`` for 高くない / 高くはない, ``満足_NEG`` for 満足していない, double negation resolved):
a rule lists the exact token strings it fires on, so 高くはない never matches a rule on ``高い`` while
満足していない matches a rule on ``満足_NEG``. Where tokens lose information (使い方 becomes 使う,
割に合わない becomes 割 + 合う_NEG) a rule adds a
surface condition on the clause text, still triggered by a token.

Rules look at one clause (a sentence, split at 。！？) so that an apology or thanks in another sentence
neither masks nor creates a complaint: 「ありがとうございます。でも正直高すぎます」 is a value complaint.
Price words (高い) count only when the utterance talks about money (料金, 円, プラン …). A clause whose
opinion is negated (高いとは思わない) or that denies an intention (解約するつもりはない) blocks the rules
that the negation is about.

A segment's score for a signal is the noisy-or of the weights of the distinct rules that matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from voc.db.signals import SignalType
from voc.nlp.assets import DOMAIN_TERMS_PATH
from voc.nlp.money import CURRENCY_SIGNS, mentions_money
from voc.nlp.tokens import Token
from voc.nlp.vocabulary import Term, load_terms
from voc.signals.rulebook import RULES, Rule

SIGNAL_TYPES: tuple[SignalType, ...] = tuple(SignalType)
GENERIC_RIVALS = frozenset({"他社", "競合", "競合他社", "他キャリア", "格安SIM"})
_CLAUSE = re.compile(r"[^。！？!?\n]+[。！？!?\n]*")
_DOUBLE_NEGATION_AFTER = re.compile(r"^.{0,3}(わけ|訳|こと)(で|じゃ)?(は|も)?(ない|ありません|ないです)")


@dataclass(frozen=True, slots=True)
class SignalLexicon:
    """Competitor names (token strings) on top of the generic rival words (他社, 競合 …)."""

    rivals: frozenset[str] = GENERIC_RIVALS

    @classmethod
    def from_terms(cls, terms: Iterable[Term]) -> SignalLexicon:
        """Add the domain vocabulary's ``competitor`` terms (``voc.nlp.vocabulary.load_terms``)."""
        names = {t.lemma for t in terms if t.kind == "competitor"} | {
            t.surface for t in terms if t.kind == "competitor"
        }
        return cls(GENERIC_RIVALS | frozenset(names))

    @staticmethod
    def default() -> SignalLexicon:
        """The generic words plus the competitors of the committed vocabulary (``models/nlp``)."""
        return _lexicon_from_file(DOMAIN_TERMS_PATH)


@lru_cache(maxsize=4)
def _lexicon_from_file(path: Path) -> SignalLexicon:
    return SignalLexicon.from_terms(load_terms(path)) if path.is_file() else SignalLexicon()


@dataclass(frozen=True, slots=True)
class RuleHit:
    """``rule`` matched ``matched`` (``text[start:end]``) for ``signal`` with ``weight``."""

    signal: str
    rule: str
    weight: float
    matched: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    text: str
    start: int
    tokens: tuple[Token, ...] = field(default=())

    @property
    def strings(self) -> frozenset[str]:
        return frozenset(t.text for t in self.tokens)


def split_clauses(text: str, tokens: Sequence[Token]) -> list[Clause]:
    """Sentences of ``text`` with the tokens that start inside each."""
    clauses = []
    for m in _CLAUSE.finditer(text):
        inside = tuple(t for t in tokens if m.start() <= t.start < m.end())
        clauses.append(Clause(m.group(), m.start(), inside))
    return clauses


def talks_about_money(text: str, tokens: Sequence[Token]) -> bool:
    """A money word among the tokens (料金, 手数料, 円; not 金曜日, 料理, 資料, 無料) or a currency sign."""
    return mentions_money(tokens) or any(sign in text for sign in CURRENCY_SIGNS)


def _names_rival(strings: frozenset[str], lexicon: SignalLexicon) -> bool:
    return any(s in lexicon.rivals for s in strings)


def _applies(rule: Rule, clause: Clause, token: Token, price: bool, lexicon: SignalLexicon) -> bool:
    strings = clause.strings
    if rule.price and not price:
        return False
    if rule.block & strings or any(group <= strings for group in rule.block_all):
        return False
    if rule.context and not (rule.context & (strings - {token.text})):
        return False
    if rule.rivals and not _names_rival(strings, lexicon):
        return False
    if rule.surface is not None:
        m = rule.surface.search(clause.text)
        if m is None or _DOUBLE_NEGATION_AFTER.match(clause.text[m.end() :]):
            return False
    return True


def _rule_triggered(rule: Rule, token: Token, lexicon: SignalLexicon) -> bool:
    if rule.match == "rival_compare":
        if not token.text.startswith("COMPARE:"):
            return False
        other, _, word = token.text.removeprefix("COMPARE:").partition(">")
        return other in lexicon.rivals and word in rule.words
    if rule.match == "rival":
        return token.kind != "feature" and token.text in lexicon.rivals
    return token.text in rule.words


def detect(text: str, tokens: Sequence[Token], lexicon: SignalLexicon | None = None) -> list[RuleHit]:
    """Every rule that matched in ``text`` (one utterance), in text order."""
    return detect_all(text, tokens, lexicon)[0]


def detect_all(
    text: str, tokens: Sequence[Token], lexicon: SignalLexicon | None = None
) -> tuple[list[RuleHit], list[str]]:
    """The rules that matched, and the ``signal/rule`` names a word triggered but the clause vetoed
    (a denied intention, a negated opinion: 解約するつもりはない): evidence *against* the signal."""
    lex = lexicon or SignalLexicon.default()
    price = talks_about_money(text, tokens)
    hits: list[RuleHit] = []
    vetoed: list[str] = []
    for clause in split_clauses(text, tokens):
        strings = clause.strings
        for token in clause.tokens:
            for rule in RULES:
                if not _rule_triggered(rule, token, lex):
                    continue
                if _applies(rule, clause, token, price, lex):
                    hits.append(
                        RuleHit(rule.signal, rule.name, rule.weight, token.surface, token.start, token.end)
                    )
                elif rule.block & strings or any(group <= strings for group in rule.block_all):
                    vetoed.append(f"{rule.signal}/{rule.name}")
    return hits, vetoed


def noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return 1.0 - miss


def signal_scores(hits: Iterable[RuleHit]) -> dict[str, tuple[float, list[RuleHit]]]:
    """Per signal: the noisy-or of its distinct rules' weights and the hits, strongest first."""
    by_signal: dict[str, list[RuleHit]] = {}
    for hit in hits:
        by_signal.setdefault(hit.signal, []).append(hit)
    out: dict[str, tuple[float, list[RuleHit]]] = {}
    for signal, found in by_signal.items():
        best: dict[str, float] = {}
        for hit in found:
            best[hit.rule] = max(best.get(hit.rule, 0.0), hit.weight)
        out[signal] = (noisy_or(best.values()), sorted(found, key=lambda h: -h.weight))
    return out


def baseline_predicts(signal: str, text: str, tokens: Sequence[Token], lexicon: SignalLexicon | None) -> bool:
    return any(h.signal == signal for h in detect(text, tokens, lexicon))


def detect_text_signals(text: str, tokens: Sequence[Token]) -> list[str]:
    """The signal names found in one utterance (baseline rules), for ``voc analyze-text``.

    Matches ``voc.nlp.analyze_text.SignalDetector``; uses the committed vocabulary's competitors.
    """
    found = {h.signal for h in detect(text, tokens)}
    return [s for s in SIGNAL_TYPES if s in found]


def make_text_detector(lexicon: SignalLexicon) -> Callable[[str, Sequence[Token]], list[str]]:
    """A ``SignalDetector`` with another vocabulary's competitor names."""

    def detector(text: str, tokens: Sequence[Token]) -> list[str]:
        found = {h.signal for h in detect(text, tokens, lexicon)}
        return [s for s in SIGNAL_TYPES if s in found]

    return detector
