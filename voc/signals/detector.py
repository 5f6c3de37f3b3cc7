"""The learned signal detector: one calibrated linear head per signal and one for sentiment.

All heads read the same ``UtteranceFeatures`` matrix (n-grams of text and reading, tokens, rule hits,
sentence embedding). Each signal head is a class-balanced logistic regression wrapped in
``CalibratedClassifierCV`` (sigmoid, 3 folds), so ``predict_proba`` is a probability an analyst can sort
by, and the decision threshold is ``thresholds_[signal]`` (0.5 unless fitted with ``groups``: then it is
chosen on out-of-fold predictions of whole held-out phrasing families). Sentiment is a multinomial
logistic regression over the same features (negative / neutral / positive), also calibrated.

The detector learns nothing about speakers: the caller gives it customer turns only (an operator's
「料金が高いとのことで」 is never a complaint), and training includes operator lines as negatives.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from voc.signals.encoder import EncoderName, cached_embeddings
from voc.signals.features import Utterance, UtteranceFeatures
from voc.signals.rules import SIGNAL_TYPES

log = logging.getLogger(__name__)

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
DEFAULT_THRESHOLD = 0.5
THRESHOLD_GRID = np.round(np.arange(0.2, 0.81, 0.05), 2)


def _head(C: float, random_state: int, multiclass: bool = False) -> CalibratedClassifierCV:  # noqa: N803
    base = LogisticRegression(
        C=C,
        class_weight="balanced",
        max_iter=2000,
        random_state=random_state,
        solver="lbfgs" if multiclass else "liblinear",
    )
    return CalibratedClassifierCV(base, method="sigmoid", cv=3)


def best_threshold(y: npt.NDArray[np.int_], proba: npt.NDArray[np.float64]) -> float:
    """The grid threshold with the best F1 on out-of-fold probabilities (ties: the one nearest 0.5)."""
    best, best_f1 = DEFAULT_THRESHOLD, -1.0
    for t in sorted(THRESHOLD_GRID, key=lambda v: abs(v - DEFAULT_THRESHOLD)):
        pred = proba >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (float(np.sum(pred)) + float(np.sum(y == 1)) or 1.0)
        if f1 > best_f1 + 1e-9:
            best, best_f1 = float(t), f1
    return best


class SignalDetector(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Multi-label detector of ``SIGNAL_TYPES`` plus a sentiment head.

    Parameters
    ----------
    C:
        Inverse regularisation of the signal heads.
    sentiment_C:
        Inverse regularisation of the sentiment head.
    encoder, embedding_weight, min_df:
        Passed to ``UtteranceFeatures``.
    threshold_folds:
        Folds of the group split that tunes the thresholds when ``fit`` gets ``groups`` (0: keep 0.5).
    random_state:
        Seed of every solver and split (the same corpus gives the same model).
    """

    def __init__(
        self,
        C: float = 4.0,  # noqa: N803 (scikit-learn naming)
        sentiment_C: float = 2.0,  # noqa: N803
        encoder: EncoderName = "auto",
        embedding_weight: float = 1.0,
        min_df: int = 2,
        threshold_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.sentiment_C = sentiment_C
        self.encoder = encoder
        self.embedding_weight = embedding_weight
        self.min_df = min_df
        self.threshold_folds = threshold_folds
        self.random_state = random_state

    def _features(self) -> UtteranceFeatures:
        return UtteranceFeatures(self.encoder, self.embedding_weight, self.min_df)

    def fit(
        self,
        X: Sequence[Utterance],  # noqa: N803
        y: npt.ArrayLike,
        sentiment: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Self:
        """``y``: 0/1 of shape (n, len(SIGNAL_TYPES)); ``sentiment``: one of ``SENTIMENTS`` per row."""
        utterances = list(X)
        labels = np.asarray(y, dtype=int)
        if labels.shape != (len(utterances), len(SIGNAL_TYPES)):
            raise ValueError(f"y must have shape ({len(utterances)}, {len(SIGNAL_TYPES)})")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        with cached_embeddings():
            return self._fit(utterances, labels, sentiment, groups, weights)

    def _fit(
        self,
        utterances: list[Utterance],
        labels: npt.NDArray[np.int_],
        sentiment: Sequence[str] | None,
        groups: Sequence[str] | None,
        weights: npt.NDArray[np.float64] | None,
    ) -> Self:
        self.features_ = self._features().fit(utterances)
        matrix = self.features_.transform(utterances)
        self.classes_ = np.array([0, 1])
        self.signals_ = SIGNAL_TYPES
        self.heads_: dict[str, CalibratedClassifierCV | None] = {}
        self.thresholds_: dict[str, float] = {}
        for j, signal in enumerate(SIGNAL_TYPES):
            column = labels[:, j]
            if column.min() == column.max():
                log.warning("signal %s: only one class in the training labels; never predicted", signal)
                self.heads_[signal] = None
                self.thresholds_[signal] = 1.0
                continue
            head = _head(self.C, self.random_state)
            self.heads_[signal] = head.fit(matrix, column, sample_weight=weights)
            self.thresholds_[signal] = DEFAULT_THRESHOLD
        if groups is not None and self.threshold_folds >= 2:
            self._tune_thresholds(utterances, labels, list(groups), weights)
        self.sentiment_head_: CalibratedClassifierCV | None = None
        if sentiment is not None:
            self.sentiment_head_ = _head(self.sentiment_C, self.random_state, multiclass=True)
            self.sentiment_head_.fit(matrix, list(sentiment), sample_weight=weights)
        return self

    def _tune_thresholds(
        self,
        utterances: list[Utterance],
        labels: npt.NDArray[np.int_],
        groups: list[str],
        weights: npt.NDArray[np.float64] | None,
    ) -> None:
        """Out-of-fold probabilities over whole held-out families, then the best-F1 threshold."""
        oof = np.zeros(labels.shape, dtype=float)
        for train, test in GroupKFold(n_splits=self.threshold_folds).split(utterances, groups=groups):
            fold = self._features().fit([utterances[i] for i in train])
            m_train = fold.transform([utterances[i] for i in train])
            m_test = fold.transform([utterances[i] for i in test])
            for j, signal in enumerate(SIGNAL_TYPES):
                column = labels[train, j]
                if self.heads_[signal] is None or column.min() == column.max():
                    continue
                head = _head(self.C, self.random_state)
                head.fit(m_train, column, sample_weight=None if weights is None else weights[train])
                oof[test, j] = head.predict_proba(m_test)[:, 1]
        for j, signal in enumerate(SIGNAL_TYPES):
            if self.heads_[signal] is not None:
                self.thresholds_[signal] = best_threshold(labels[:, j], oof[:, j])
        log.info("signal thresholds: %s", self.thresholds_)

    def predict_proba(self, X: Sequence[Utterance]) -> npt.NDArray[np.float64]:  # noqa: N803
        """P(signal) per utterance, shape (n, len(SIGNAL_TYPES)), columns in ``SIGNAL_TYPES`` order."""
        utterances = list(X)
        out = np.zeros((len(utterances), len(SIGNAL_TYPES)))
        if not utterances:
            return out
        matrix = self.features_.transform(utterances)
        for j, signal in enumerate(SIGNAL_TYPES):
            head = self.heads_[signal]
            if head is not None:
                out[:, j] = head.predict_proba(matrix)[:, 1]
        return out

    def predict(self, X: Sequence[Utterance]) -> npt.NDArray[np.int_]:  # noqa: N803
        proba = self.predict_proba(X)
        limits = np.array([self.thresholds_[s] for s in SIGNAL_TYPES])
        return (proba >= limits).astype(int)

    def sentiment_proba(self, X: Sequence[Utterance]) -> npt.NDArray[np.float64]:  # noqa: N803
        """P(negative, neutral, positive) per utterance."""
        if self.sentiment_head_ is None:
            raise RuntimeError("this detector was fitted without sentiment labels")
        utterances = list(X)
        if not utterances:
            return np.zeros((0, len(SENTIMENTS)))
        proba = self.sentiment_head_.predict_proba(self.features_.transform(utterances))
        out = np.zeros((len(utterances), len(SENTIMENTS)))
        for j, label in enumerate(self.sentiment_head_.classes_):
            out[:, SENTIMENTS.index(str(label))] = proba[:, j]
        return out

    def predict_sentiment(self, X: Sequence[Utterance]) -> list[str]:  # noqa: N803
        return [SENTIMENTS[int(i)] for i in np.argmax(self.sentiment_proba(X), axis=1)]

    def explain(self, utterance: Utterance, signal: str, top: int = 3) -> list[str]:
        """The utterance's tokens that pushed ``signal`` up most (averaged over the calibration folds)."""
        head = self.heads_.get(signal)
        if head is None:
            return []
        offset, names = self.features_.token_columns()
        coef = np.mean([c.estimator.coef_[0] for c in head.calibrated_classifiers_], axis=0)
        row = self.features_.transform([utterance]).tocsr()
        scored: list[tuple[float, str]] = []
        for col, value in zip(row.indices, row.data, strict=True):
            if offset <= col < offset + len(names) and coef[col] > 0:
                scored.append((float(coef[col] * value), names[col - offset]))
        return [name for _, name in sorted(scored, reverse=True)[:top]]

    def describe(self) -> dict[str, Any]:
        return {
            "signals": list(SIGNAL_TYPES),
            "thresholds": dict(self.thresholds_),
            "embeddings": bool(self.features_.uses_embeddings_),
            "sentiment": self.sentiment_head_ is not None,
        }
