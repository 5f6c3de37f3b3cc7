"""A per-signal classifier trained on analysts' labels, and its held-out comparison with the baseline.

``SignalClassifier``: TF-IDF over the tokenizer's token strings (``voc.nlp.tokens``: ``高い_NEG``,
``EXCESS:高い`` …) plus adjacent token pairs, then a class-balanced logistic regression with a fixed seed.
It takes pre-tokenised utterances (lists of token strings), so a pickled model holds no tokenizer and no
path to a user dictionary: the worker's own tokenizer feeds it.

``evaluate`` compares it with the rule baseline on the same labels: stratified k-fold cross-validation
(every label is held out exactly once; k = min(5, size of the smaller class)) for the model, and the
baseline (which learns nothing) scored on the same labels. ``train`` then fits on every label and marks
the model ``active`` only if its held-out F1 beats the baseline's: a model that does not improve on the
rules is kept for inspection but never used.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

from sklearn.base import BaseEstimator, ClassifierMixin

from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.tokens import Token
from voc.signals.rules import SignalLexicon, detect

log = logging.getLogger(__name__)

MIN_FOLDS = 2
MAX_FOLDS = 5


def token_features(tokens: Sequence[str]) -> list[str]:
    """Tokens plus adjacent pairs (``料金|高い``): context words matter (高いプラン vs 料金が高い)."""
    pairs = [f"{a}|{b}" for a, b in itertools.pairwise(tokens)]
    return [*tokens, *pairs]


class SignalClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Binary classifier for one signal over token lists.

    Parameters
    ----------
    C:
        Inverse regularisation strength of the logistic regression.
    random_state:
        Seed of the solver (fixed: the same labels give the same model).
    """

    def __init__(self, C: float = 4.0, random_state: int = 0) -> None:  # noqa: N803 (scikit-learn naming)
        self.C = C
        self.random_state = random_state

    def fit(self, X: Sequence[Sequence[str]], y: Sequence[int]) -> Self:  # noqa: N803
        # Imported on use (as in quality and evaluate): scikit-learn's estimators take a second to
        # import, and every `voc` command, even `voc --help`, imports this module.
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        self.pipeline_ = make_pipeline(
            TfidfVectorizer(analyzer=token_features, sublinear_tf=True),
            LogisticRegression(
                C=self.C, class_weight="balanced", random_state=self.random_state, max_iter=1000
            ),
        )
        self.pipeline_.fit([list(x) for x in X], list(y))
        self.classes_ = self.pipeline_.classes_
        return self

    def predict_proba(self, X: Sequence[Sequence[str]]) -> Any:  # noqa: N803
        return self.pipeline_.predict_proba([list(x) for x in X])

    def predict(self, X: Sequence[Sequence[str]]) -> Any:  # noqa: N803
        return self.pipeline_.predict([list(x) for x in X])

    def positive_probability(self, tokens: Sequence[str]) -> float:
        """P(signal) for one utterance's token strings."""
        proba = self.predict_proba([tokens])[0]
        classes = list(self.classes_)
        return float(proba[classes.index(1)]) if 1 in classes else 0.0


@dataclass(frozen=True, slots=True)
class Quality:
    precision: float
    recall: float
    f1: float

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def quality(y_true: Sequence[int], y_pred: Sequence[int]) -> Quality:
    from sklearn.metrics import precision_recall_fscore_support  # on use: see SignalClassifier.fit

    p, r, f, _ = precision_recall_fscore_support(
        list(y_true), list(y_pred), average="binary", pos_label=1, zero_division=0
    )
    return Quality(float(p), float(r), float(f))


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Held-out quality of the model and of the baseline on the same labels."""

    signal: str
    n_labels: int
    n_positive: int
    folds: int
    model: Quality
    baseline: Quality

    @property
    def model_wins(self) -> bool:
        return self.model.f1 > self.baseline.f1

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.signal,
            "labels": self.n_labels,
            "positives": self.n_positive,
            "negatives": self.n_labels - self.n_positive,
            "validation": f"stratified {self.folds}-fold cross-validation",
            "model": self.model.as_dict(),
            "baseline": self.baseline.as_dict(),
            "model_active": self.model_wins,
        }


def can_train(labels: Sequence[int], min_labels: int) -> bool:
    """Enough labels, and both classes with at least two examples (for a stratified split)."""
    pos = sum(1 for y in labels if y == 1)
    return len(labels) >= min_labels and min(pos, len(labels) - pos) >= MIN_FOLDS


def evaluate(
    signal: str,
    texts: Sequence[str],
    labels: Sequence[int],
    tokenizer: JapaneseTokenizer,
    lexicon: SignalLexicon | None = None,
    *,
    random_state: int = 0,
    reference: Sequence[int] | None = None,
    analysed: Sequence[Sequence[Token]] | None = None,
) -> tuple[Evaluation, list[list[str]]]:
    """Cross-validated model quality vs the baseline's; also returns the token lists (for fitting).

    ``reference``: what the signal stage decides today on these texts (the shipped detector's
    predictions); without it the baseline is the rule book. ``analysed``: the texts' tokens when the
    caller has them already (tokenizing is the slow part).
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict  # on use: see fit

    y = [int(v) for v in labels]
    n_pos = sum(y)
    folds = min(MAX_FOLDS, n_pos, len(y) - n_pos)
    if folds < MIN_FOLDS:
        raise ValueError(f"{signal}: need at least {MIN_FOLDS} labels of each class")
    rich = list(analysed) if analysed is not None else [tokenizer.analyze(t) for t in texts]
    tokens = [[t.text for t in r] for r in rich]
    baseline_pred = (
        [int(v) for v in reference]
        if reference is not None
        else [
            int(any(h.signal == signal for h in detect(t, r, lexicon)))
            for t, r in zip(texts, rich, strict=True)
        ]
    )
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    model_pred = cross_val_predict(SignalClassifier(random_state=random_state), tokens, y, cv=cv)
    evaluation = Evaluation(
        signal=signal,
        n_labels=len(y),
        n_positive=n_pos,
        folds=folds,
        model=quality(y, [int(v) for v in model_pred]),
        baseline=quality(y, baseline_pred),
    )
    log.info(
        "%s: model F1 %.3f vs baseline F1 %.3f on %d labels",
        signal,
        evaluation.model.f1,
        evaluation.baseline.f1,
        len(y),
    )
    return evaluation, tokens


def train(
    signal: str,
    texts: Sequence[str],
    labels: Sequence[int],
    tokenizer: JapaneseTokenizer,
    lexicon: SignalLexicon | None = None,
    *,
    random_state: int = 0,
    reference: Sequence[int] | None = None,
    analysed: Sequence[Sequence[Token]] | None = None,
) -> tuple[SignalClassifier, Evaluation]:
    """Evaluate against the baseline (``reference``: the detector's predictions), then fit on every label."""
    evaluation, tokens = evaluate(
        signal,
        texts,
        labels,
        tokenizer,
        lexicon,
        random_state=random_state,
        reference=reference,
        analysed=analysed,
    )
    model = SignalClassifier(random_state=random_state).fit(tokens, [int(v) for v in labels])
    return model, evaluation
