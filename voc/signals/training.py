"""The feedback loop in the database: train a classifier per signal from the labels, store it, load it.

A signal gets a model once it has ``min_feedback_labels`` labels with both classes; the model is stored
(pickled, in ``signal_models``) with its held-out quality next to the baseline's, and is *active* only when
its F1 beats the baseline's (``voc.signals.classifier``). The baseline is what the stage decides without
it: the shipped detector when one is given, else the rules. ``load_models`` returns the active ones for
``voc.signals.analyze.analyze_call``.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from sqlmodel import Session, select

from voc.db.signals import SignalModel
from voc.db.types import utcnow
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.classifier import SignalClassifier, can_train, train
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.feedback import latest_labels
from voc.signals.rules import SIGNAL_TYPES, SignalLexicon

log = logging.getLogger(__name__)


def labelled_texts(session: Session, signal_type: str) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels (confirm = 1) for one signal, the latest label per utterance."""
    rows = latest_labels(session, signal_type)
    return [r.text for r in rows], [int(r.label == "confirm") for r in rows]


def train_from_feedback(
    session: Session,
    tokenizer: JapaneseTokenizer,
    min_labels: int,
    *,
    lexicon: SignalLexicon | None = None,
    signals: tuple[str, ...] = SIGNAL_TYPES,
    detector: SignalDetector | None = None,
    analyzer: UtteranceAnalyzer | None = None,
) -> list[dict[str, Any]]:
    """(Re)train every signal that has enough labels; returns one report per signal."""
    if detector is not None and analyzer is None:
        analyzer = UtteranceAnalyzer(tokenizer, lexicon or SignalLexicon.default())
    reports: list[dict[str, Any]] = []
    for signal in signals:
        texts, labels = labelled_texts(session, signal)
        if not can_train(labels, min_labels):
            reports.append(
                {"type": signal, "labels": len(labels), "trained": False, "reason": "not enough labels"}
            )
            continue
        # Each text is tokenized once: the detector's features and the classifier share the tokens.
        analysed = [tokenizer.analyze(t) for t in texts]
        reference = None
        if detector is not None and analyzer is not None:
            utterances = [analyzer.analyse(t, r).utterance for t, r in zip(texts, analysed, strict=True)]
            column = detector.predict(utterances)[:, SIGNAL_TYPES.index(signal)]
            reference = [int(v) for v in column]
        model, evaluation = train(
            signal, texts, labels, tokenizer, lexicon, reference=reference, analysed=analysed
        )
        stored = session.exec(select(SignalModel).where(SignalModel.type == signal)).first()
        stored = stored or SignalModel(type=signal, blob=b"", n_labels=0)
        stored.blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        stored.n_labels = len(labels)
        stored.active = evaluation.model_wins
        stored.metrics = evaluation.as_dict()
        stored.trained_at = utcnow()
        session.add(stored)
        session.flush()
        reports.append(
            {
                **evaluation.as_dict(),
                "trained": True,
                "baseline_is": "rules" if reference is None else "detector",
            }
        )
    return reports


def load_models(session: Session) -> dict[str, SignalClassifier]:
    """The active classifiers by signal type (only models that beat the baseline)."""
    models: dict[str, SignalClassifier] = {}
    for row in session.exec(select(SignalModel).where(SignalModel.active == True)).all():  # noqa: E712
        # The blob was written by train_from_feedback into our own database: trusted content.
        model = pickle.loads(row.blob)
        if isinstance(model, SignalClassifier):
            models[row.type] = model
    return models


def quality_report(session: Session) -> list[dict[str, Any]]:
    """Per signal: label counts, and the baseline's and the model's held-out precision/recall/F1."""
    stored = {m.type: m for m in session.exec(select(SignalModel)).all()}
    report = []
    for signal in SIGNAL_TYPES:
        rows = latest_labels(session, signal)
        confirms = sum(1 for r in rows if r.label == "confirm")
        model = stored.get(signal)
        item: dict[str, Any] = {
            "type": signal,
            "labels": len(rows),
            "confirmed": confirms,
            "dismissed": len(rows) - confirms,
            "baseline": None,
            "model": None,
            "model_active": False,
            "trained_at": None,
        }
        if model is not None:
            item.update(
                baseline=model.metrics.get("baseline"),
                model=model.metrics.get("model"),
                model_active=model.active,
                trained_at=model.trained_at.isoformat(),
                trained_on=model.n_labels,
                validation=model.metrics.get("validation"),
            )
        report.append(item)
    return report
