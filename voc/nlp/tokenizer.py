"""``JapaneseTokenizer``: fugashi + unidic-lite tokens for TF-IDF, topics, signals and KWIC search.

Steps: NFKC (offsets mapped back to the original text, ``voc.nlp.normalize``) → MeCab with the domain
user dictionary → redaction placeholders dropped (［電話番号］, ［氏名］ …: full-width brackets, which Whisper
never writes; the caller did not say those words) → compounds joined (``voc.nlp.compounds``) → predicate
chunks with negation, fixed expressions and rhetorical questions (``voc.nlp.chunks``) → part-of-speech and
stopword filter (``voc.nlp.filters``) → construction features (``voc.nlp.constructions``). The token
naming scheme is in ``voc.nlp.tokens``.

Usable directly as ``TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False)``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Self

from sklearn.base import BaseEstimator, TransformerMixin

from voc.nlp.chunks import Chunk, chunk
from voc.nlp.compounds import join_compounds
from voc.nlp.constructions import find_comparisons
from voc.nlp.dictionary import create_tagger
from voc.nlp.filters import is_content, is_stopword
from voc.nlp.morph import Morph, to_morphs
from voc.nlp.normalize import NormalizedText, normalize
from voc.nlp.tokens import FEATURE_POS, FeatureKind, Token, feature_text, word_text

logger = logging.getLogger(__name__)

# A redaction placeholder (voc.redaction.PLACEHOLDERS) after NFKC: ［電話番号］ → [電話番号].
_PLACEHOLDER = re.compile(r"\[[^\[\]\s]{1,20}\]")
_PLACEHOLDER_OPEN = "［"


class JapaneseTokenizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turn Japanese utterances into word and feature tokens.

    Parameters
    ----------
    user_dic:
        Compiled MeCab user dictionary of domain terms (``voc.nlp.userdict.build_user_dictionary``);
        ``None`` uses the unidic-lite system dictionary alone.
    features:
        Emit construction features (``EXCESS:``, ``DESIRE:``, ``REQUEST:``, ``COMPARE:``,
        ``RHETORICAL:``).
    """

    # Created on first use; never pickled (a fugashi Tagger cannot be).
    _tagger: Any = None

    def __init__(self, user_dic: str | Path | None = None, features: bool = True) -> None:
        self.user_dic = user_dic
        self.features = features

    def fit(self, X: Iterable[str], y: object = None) -> Self:  # noqa: N803 (scikit-learn naming)
        """Nothing is learned; present for pipelines."""
        return self

    def transform(self, X: Iterable[str]) -> list[list[str]]:  # noqa: N803
        return [self(text) for text in X]

    def __call__(self, text: str) -> list[str]:
        return [t.text for t in self.analyze(text)]

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = dict(super().__getstate__())
        state.pop("_tagger", None)
        return state

    def morphs(self, text: str, skip: Iterable[tuple[int, int]] = ()) -> list[Morph]:
        """Tagged morphemes of an already NFKC-normalised text, compounds joined.

        Morphemes starting inside a ``skip`` span (placeholders) are left out before joining.
        """
        if self._tagger is None:
            self._tagger = create_tagger(self.user_dic)
        spans = list(skip)
        tagged = to_morphs(self._tagger(text), text)
        kept = [m for m in tagged if not any(s <= m.start < e for s, e in spans)]
        return join_compounds(kept)

    def analyze(self, text: str) -> list[Token]:
        """Rich tokens in text order, with offsets into ``text`` (not into its NFKC form)."""
        norm = normalize(text)
        chunks = chunk(self.morphs(norm.text, skip=_placeholder_spans(norm)))
        compare_at: dict[int, list[tuple[str, int]]] = {}
        if self.features:
            for comp in find_comparisons(chunks):
                compare_at.setdefault(comp.predicate, []).append((comp.other, comp.other_index))
        tokens: list[Token] = []
        for i, c in enumerate(chunks):
            if c.rhetorical and c.head.pos1 == "形容詞" and c.head.norm == "ない":
                # 高いんじゃないですか: the ない asserts the word before it; only the feature remains.
                self._add_rhetorical(tokens, c, norm)
                continue
            word = _word_token(c, norm)
            if word is None:
                continue
            tokens.append(word)
            if not self.features or word.kind == "fixed":
                continue
            flags: tuple[tuple[FeatureKind, bool], ...] = (
                ("EXCESS", c.excess),
                ("DESIRE", c.desire),
                ("REQUEST", c.request),
                ("RHETORICAL", c.rhetorical),
            )
            kinds = [] if is_stopword(c.head.norm) else [kind for kind, flag in flags if flag]
            for kind in kinds:
                tokens.append(_feature(feature_text(kind, word.text), word.start, word.end, norm))
            for other, other_index in compare_at.get(i, []):
                start = chunks[other_index].start
                s, _ = norm.to_original(start, start + 1)
                tokens.append(_feature(feature_text("COMPARE", word.text, other), s, word.end, norm))
        return tokens

    def _add_rhetorical(self, tokens: list[Token], c: Chunk, norm: NormalizedText) -> None:
        words = [t for t in tokens if t.kind == "word"]
        if not self.features or not words:
            return
        word = words[-1]
        _, end = norm.to_original(c.start, c.end)
        tokens.append(_feature(feature_text("RHETORICAL", word.text), word.start, end, norm))


def _placeholder_spans(norm: NormalizedText) -> list[tuple[int, int]]:
    """Spans of ``norm.text`` that are redaction placeholders written with full-width brackets."""
    return [
        m.span()
        for m in _PLACEHOLDER.finditer(norm.text)
        if norm.original[norm.origin[m.start()][0]] == _PLACEHOLDER_OPEN
    ]


def _word_token(c: Chunk, norm: NormalizedText) -> Token | None:
    head = c.head
    if c.fixed is not None:
        start, end = norm.to_original(c.start, c.end)
        return Token(c.fixed, norm.original[start:end], c.fixed, head.pos1, start, end, kind="fixed")
    if not is_content(head):
        return None
    constructed = c.excess or c.desire or c.request or c.rhetorical
    if is_stopword(head.norm) and not c.negated:
        return None
    wide = c.negated or constructed
    start, end = norm.to_original(c.start if wide else head.start, c.end if wide else head.end)
    text = word_text(head.norm, c.negated)
    return Token(
        text, norm.original[start:end], head.norm, head.pos1, start, end, negated=c.negated, money=head.money
    )


def _feature(text: str, start: int, end: int, norm: NormalizedText) -> Token:
    return Token(text, norm.original[start:end], text, FEATURE_POS, start, end, kind="feature")
