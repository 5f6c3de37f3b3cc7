"""The learned signal detector: one calibrated linear head per signal and one for sentiment.

All heads read the same ``UtteranceFeatures`` matrix (n-grams of text and reading, tokens, rule hits,
sentence embedding). Each signal head is a class-balanced logistic regression. Its decision values are
calibrated on out-of-fold predictions (Platt scaling: a one-feature logistic regression on the held-out
decision values), so ``predict_proba`` is a probability an analyst can sort by. When ``fit`` gets
``groups`` (the corpus's phrasing families) the folds hold out whole families, so the calibration and the
decision threshold ``thresholds_[signal]`` (the best F1 on those out-of-fold probabilities) are learned on
wordings the head did not see, as in production. Sentiment is a one-vs-rest logistic regression over the
same features (negative / neutral / positive).

Dissatisfaction is also composed, the way it is labelled (the corpus's family books and the independent
set alike): any unhappiness the customer voices, so a price resented, leaving or a feature given up on
*said negatively* is one (高すぎてもう無理、やめます), and the same said calmly is not (転勤で海外に行くので
解約の手続きを). Its own head must keep the decoys quiet alone, which holds its threshold high; a
calibrated head for negative tone (``negative_head_``, no decoy budget: a negative tone alone is no
alarm) raises it where one of ``VOICED_COMPLAINTS`` fires too, the other signal's evidence standing in
for the budget. On held-out families this raised dissatisfaction's F1 0.79 -> 0.83 (clean) and 0.72 ->
0.75 (heard), on the independent set 0.85 -> 0.86 and, heard, 0.79 -> 0.82, at the same decoy false
positives (it only adds a label to a line where a signal already fires).

A turn is read whole and sentence by sentence (``Utterance.parts``, ``voc.signals.clauses``) and carries
a signal when the whole or any sentence does: a recorder's turn holds several, and over the whole turn a
quiet sentence dilutes the others' evidence. On held-out families' lines each joined with a quiet line
(``voc.signals.long_turns``), whole-turn reading lost a fifth of its F1 (mean 0.855 -> 0.695 clean,
0.778 -> 0.616 heard); reading the sentences too gives 0.809 and 0.720, and the same on single lines
(0.857, 0.777). The decoys' false alarms on those long turns rise with it (8.9 -> 13.5 % clean): a
decoy read alone is no longer diluted either, so that is its single-line rate plus its quiet partner's.

The detector learns nothing about speakers: the caller gives it customer turns only (an operator's
「料金が高いとのことで」 is never a complaint), and training includes operator lines as negatives.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from voc.db.signals import SignalType
from voc.signals.encoder import EncoderName, cached_embeddings
from voc.signals.features import Utterance, UtteranceFeatures
from voc.signals.rules import SIGNAL_TYPES

log = logging.getLogger(__name__)

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
DEFAULT_THRESHOLD = 0.5
THRESHOLD_GRID = np.round(np.arange(0.2, 0.81, 0.05), 2)
#: Signals that, said in a negative tone, are dissatisfaction too (how the corpus labels them).
VOICED_COMPLAINTS: tuple[SignalType, ...] = (
    SignalType.VALUE_COMPLAINT,
    SignalType.CHURN_INTENT,
    SignalType.FEATURE_STRUGGLE,
)
_VOICED_COLUMNS = [SIGNAL_TYPES.index(s) for s in VOICED_COMPLAINTS]
_DISSATISFACTION_COLUMN = SIGNAL_TYPES.index(SignalType.DISSATISFACTION)


def best_threshold(
    y: npt.NDArray[np.int_],
    proba: npt.NDArray[np.float64],
    decoys: npt.NDArray[np.bool_] | None = None,
    max_decoy_fp: float = 1.0,
) -> float:
    """The grid threshold with the best F1 on out-of-fold probabilities among those that raise the signal
    on at most ``max_decoy_fp`` of the decoys (lines written to tempt it); if none does, the one that
    raises it on the fewest. Ties go to the threshold nearest 0.5."""
    negatives = (y == 0) if decoys is None else (decoys & (y == 0))
    scored: list[tuple[bool, float, float, float]] = []
    for t in THRESHOLD_GRID:
        pred = proba >= t
        tp = float(np.sum(pred & (y == 1)))
        f1 = 2 * tp / (float(np.sum(pred)) + float(np.sum(y == 1)) or 1.0)
        fp = float(np.mean(pred[negatives])) if negatives.any() else 0.0
        scored.append(
            (fp <= max_decoy_fp, f1 if fp <= max_decoy_fp else -fp, -abs(t - DEFAULT_THRESHOLD), float(t))
        )
    return max(scored)[3]


def with_parts(utterances: Sequence[Utterance]) -> tuple[list[Utterance], npt.NDArray[np.int_]]:
    """The turns, then every turn's clauses, and which turn each row belongs to."""
    rows = list(utterances)
    owner = list(range(len(rows)))
    for i, u in enumerate(utterances):
        rows.extend(u.parts)
        owner.extend([i] * len(u.parts))
    return rows, np.asarray(owner, dtype=int)


def per_turn(values: npt.NDArray[Any], owner: npt.NDArray[np.int_], turns: int) -> npt.NDArray[Any]:
    """``with_parts`` rows' values, one per turn by the maximum: a turn says what its whole or any of
    its clauses says."""
    out = values[:turns].copy()
    np.maximum.at(out, owner[turns:], values[turns:])
    return out


@dataclass(frozen=True, slots=True)
class SignalHead:
    """A fitted linear model and the Platt scaling of its decision values."""

    model: LogisticRegression
    slope: float
    intercept: float

    def proba(self, matrix: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        z = self.slope * self.model.decision_function(matrix) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=float)


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
    calibration_folds:
        Folds of the out-of-fold predictions that calibrate each head and choose its threshold
        (grouped by ``groups`` when given; 0: no calibration, threshold 0.5 on the raw probability).
    max_decoy_fp:
        Share of the decoys (``fit``'s ``decoys``) a signal may fire on out of fold; the threshold is the
        best-F1 one within that budget. Analysts act on flags: a false alarm costs a call back.
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
        calibration_folds: int = 3,
        max_decoy_fp: float = 0.02,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.sentiment_C = sentiment_C
        self.encoder = encoder
        self.embedding_weight = embedding_weight
        self.min_df = min_df
        self.calibration_folds = calibration_folds
        self.max_decoy_fp = max_decoy_fp
        self.random_state = random_state

    def _linear(self, C: float) -> LogisticRegression:  # noqa: N803
        return LogisticRegression(
            C=C, class_weight="balanced", solver="liblinear", max_iter=1000, random_state=self.random_state
        )

    def fit(
        self,
        X: Sequence[Utterance],  # noqa: N803
        y: npt.ArrayLike,
        sentiment: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        sample_weight: npt.ArrayLike | None = None,
        decoys: npt.ArrayLike | None = None,
        heard: npt.ArrayLike | None = None,
    ) -> Self:
        """``y``: 0/1 of shape (n, len(SIGNAL_TYPES)); ``sentiment``: one of ``SENTIMENTS`` per row;
        ``decoys``: which rows were written to tempt the detector (their false alarms bound thresholds);
        ``heard``: which rows are Whisper's text (real or Whisper-style copies). The thresholds are chosen
        on those when there are any: the service only ever reads Whisper's text (held-out families, heard:
        mean F1 0.770 -> 0.777, value_complaint 0.64 -> 0.67; clean 0.853 -> 0.855)."""
        utterances = list(X)
        labels = np.asarray(y, dtype=int)
        if labels.shape != (len(utterances), len(SIGNAL_TYPES)):
            raise ValueError(f"y must have shape ({len(utterances)}, {len(SIGNAL_TYPES)})")
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=float)
        tempting = None if decoys is None else np.asarray(decoys, dtype=bool)
        choose_on = None if heard is None else np.asarray(heard, dtype=bool)
        with cached_embeddings():
            self.features_ = UtteranceFeatures(self.encoder, self.embedding_weight, self.min_df).fit(
                utterances
            )
            matrix = self.features_.transform(utterances)
        self.classes_ = np.array([0, 1])
        self.heads_: dict[str, SignalHead | None] = {}
        self.thresholds_: dict[str, float] = {}
        for j, signal in enumerate(SIGNAL_TYPES):
            column = labels[:, j]
            if column.min() == column.max():
                log.warning("signal %s: only one class in the training labels; never predicted", signal)
                self.heads_[signal], self.thresholds_[signal] = None, 1.0
                continue
            self.heads_[signal], self.thresholds_[signal] = self._fit_head(
                matrix, column, groups, weights, tempting, choose_on
            )
        # liblinear is binary: one head per sentiment, probabilities normalised across them.
        self.sentiment_heads_: dict[str, LogisticRegression] = {}
        self.negative_head_: SignalHead | None = None
        self.negative_threshold_ = 1.0
        if sentiment is not None:
            gold = np.asarray(list(sentiment))
            negative = (gold == "negative").astype(int)
            if 0 < negative.sum() < len(negative):
                # A negative tone alone is no false alarm (昨日の試合負けてがっかり): no decoy budget.
                self.negative_head_, self.negative_threshold_ = self._fit_head(
                    matrix, negative, groups, weights, None, choose_on, max_decoy_fp=1.0
                )
            for label in SENTIMENTS:
                target = (gold == label).astype(int)
                if 0 < target.sum() < len(target):
                    head = self._linear(self.sentiment_C)
                    self.sentiment_heads_[label] = head.fit(matrix, target, sample_weight=weights)
        return self

    def _folds(self, y: npt.NDArray[np.int_], groups: Sequence[str] | None) -> list[Any]:
        k = self.calibration_folds
        if groups is not None and len(set(groups)) >= k:
            return list(GroupKFold(n_splits=k).split(y, y, groups=list(groups)))
        k = min(k, int(np.sum(y == 1)), int(np.sum(y == 0)))
        if k < 2:
            return []
        return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=self.random_state).split(y, y))

    def _fit_head(
        self,
        matrix: sparse.csr_matrix,
        y: npt.NDArray[np.int_],
        groups: Sequence[str] | None,
        weights: npt.NDArray[np.float64] | None,
        decoys: npt.NDArray[np.bool_] | None,
        choose_on: npt.NDArray[np.bool_] | None = None,
        max_decoy_fp: float | None = None,
    ) -> tuple[SignalHead, float]:
        model = self._linear(self.C).fit(matrix, y, sample_weight=weights)
        folds = self._folds(y, groups) if self.calibration_folds >= 2 else []
        decision = np.zeros(len(y))
        usable = [(tr, te) for tr, te in folds if len(set(y[tr])) == 2]
        if not usable:
            return SignalHead(model, 1.0, 0.0), DEFAULT_THRESHOLD
        seen = np.zeros(len(y), dtype=bool)
        for train, test in usable:
            fold = self._linear(self.C).fit(
                matrix[train], y[train], sample_weight=None if weights is None else weights[train]
            )
            decision[test] = fold.decision_function(matrix[test])
            seen[test] = True
        platt = LogisticRegression(C=1e4).fit(decision[seen].reshape(-1, 1), y[seen])
        head = SignalHead(model, float(platt.coef_[0, 0]), float(platt.intercept_[0]))
        calibrated = 1.0 / (1.0 + np.exp(-(head.slope * decision + head.intercept)))
        on = seen if choose_on is None else seen & choose_on
        if len(set(y[on])) < 2:  # too few heard rows to choose on: all of them
            on = seen
        budget = self.max_decoy_fp if max_decoy_fp is None else max_decoy_fp
        tempting = None if decoys is None else decoys[on]
        return head, best_threshold(y[on], calibrated[on], tempting, budget)

    def predict_proba(self, X: Sequence[Utterance]) -> npt.NDArray[np.float64]:  # noqa: N803
        """P(signal) per utterance, shape (n, len(SIGNAL_TYPES)), columns in ``SIGNAL_TYPES`` order.
        Dissatisfaction's is the larger of its head's and P(negative tone) x P(the likeliest voiced
        complaint): the confidence of either way it is raised (``signals`` says which are)."""
        return self.signals(X)[0]

    def predict(self, X: Sequence[Utterance]) -> npt.NDArray[np.int_]:  # noqa: N803
        return self.signals(X)[1]

    def signals(self, X: Sequence[Utterance]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:  # noqa: N803
        """``predict_proba`` and the signals raised (0/1), from one feature matrix."""
        utterances = list(X)
        if not utterances:
            return np.zeros((0, len(SIGNAL_TYPES))), np.zeros((0, len(SIGNAL_TYPES)), dtype=int)
        rows, owner = with_parts(utterances)
        proba, raised = self._signals(self.features_.transform(rows))
        return per_turn(proba, owner, len(utterances)), per_turn(raised, owner, len(utterances))

    def _signals(self, matrix: sparse.csr_matrix) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int_]]:
        proba = self._signal_proba(matrix)
        raised = self._decide(proba)
        head = self.negative_head_
        if head is None:
            return proba, raised
        tone = head.proba(matrix)
        voiced, d = _VOICED_COLUMNS, _DISSATISFACTION_COLUMN
        composed = (tone >= self.negative_threshold_) & raised[:, voiced].any(axis=1)
        raised[:, d] |= composed.astype(int)
        proba[:, d] = np.maximum(proba[:, d], np.where(composed, tone * proba[:, voiced].max(axis=1), 0.0))
        return proba, raised

    def sentiment_proba(self, X: Sequence[Utterance]) -> npt.NDArray[np.float64]:  # noqa: N803
        """P(negative, neutral, positive) per utterance."""
        if not self.sentiment_heads_:
            raise RuntimeError("this detector was fitted without sentiment labels")
        utterances = list(X)
        if not utterances:
            return np.zeros((0, len(SENTIMENTS)))
        return self._sentiment_proba(self.features_.transform(utterances))

    def predict_sentiment(self, X: Sequence[Utterance]) -> list[str]:  # noqa: N803
        return [SENTIMENTS[int(i)] for i in np.argmax(self.sentiment_proba(X), axis=1)]

    def read(self, X: Sequence[Utterance]) -> tuple[npt.NDArray[np.int_], list[str]]:  # noqa: N803
        """``predict`` and ``predict_sentiment`` from one feature matrix (the embedding is computed once)."""
        utterances = list(X)
        if not utterances:
            return np.zeros((0, len(SIGNAL_TYPES)), dtype=int), []
        if not self.sentiment_heads_:
            raise RuntimeError("this detector was fitted without sentiment labels")
        rows, owner = with_parts(utterances)
        matrix = self.features_.transform(rows)
        labels = per_turn(self._signals(matrix)[1], owner, len(utterances))
        tone = self._sentiment_proba(matrix[: len(utterances)])  # a turn's tone is the whole turn's
        return labels, [SENTIMENTS[int(i)] for i in np.argmax(tone, axis=1)]

    def _decide(self, proba: npt.NDArray[np.float64]) -> npt.NDArray[np.int_]:
        limits = np.array([self.thresholds_[s] for s in SIGNAL_TYPES])
        return (proba >= limits).astype(int)

    def _signal_proba(self, matrix: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        out = np.zeros((matrix.shape[0], len(SIGNAL_TYPES)))
        for j, signal in enumerate(SIGNAL_TYPES):
            head = self.heads_[signal]
            if head is not None:
                out[:, j] = head.proba(matrix)
        return out

    def _sentiment_proba(self, matrix: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        out = np.zeros((matrix.shape[0], len(SENTIMENTS)))
        for j, label in enumerate(SENTIMENTS):
            head = self.sentiment_heads_.get(label)
            if head is not None:
                out[:, j] = head.predict_proba(matrix)[:, 1]
        return np.asarray(out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12), dtype=float)

    def explain(self, utterance: Utterance, signal: str, top: int = 3) -> list[str]:
        """The utterance's tokens that pushed ``signal`` up most (by coefficient × feature value), read
        in the piece (the whole turn or one of its sentences) that raised it most and has such tokens:
        a long turn's evidence is the sentence that says it."""
        head = self.heads_.get(signal)
        if head is None:
            return []
        offset, names = self.features_.token_columns()
        coef = head.model.coef_[0]
        matrix = self.features_.transform([utterance, *utterance.parts]).tocsr()
        for i in np.argsort(-head.proba(matrix), kind="stable"):
            row = matrix[int(i)]
            scored: list[tuple[float, str]] = []
            for col, value in zip(row.indices, row.data, strict=True):
                if offset <= col < offset + len(names) and coef[col] > 0:
                    scored.append((float(coef[col] * value), names[col - offset]))
            if scored:
                return [name for _, name in sorted(scored, reverse=True)[:top]]
        return []

    def describe(self) -> dict[str, Any]:
        return {
            "signals": list(SIGNAL_TYPES),
            "thresholds": dict(self.thresholds_),
            "embeddings": bool(self.features_.uses_embeddings_),
            "sentiment": bool(self.sentiment_heads_),
            "negative_tone_threshold": self.negative_threshold_ if self.negative_head_ is not None else None,
        }
