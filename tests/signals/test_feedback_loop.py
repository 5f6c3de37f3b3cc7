"""The feedback loop: analysts confirm / dismiss signals, a classifier learns what the rules get wrong."""

from __future__ import annotations

import pickle

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.db.signals import CallSignalRow, SignalFeedback, SignalModel
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import analyze_call
from voc.signals.classifier import SignalClassifier, evaluate, train
from voc.signals.feedback import UnknownSignalError, add_label, record_feedback
from voc.signals.rules import SignalLexicon
from voc.signals.training import load_models, quality_report, train_from_feedback

from .helpers import add_call
from .labelled import CAUGHT, ORDINARY, value_complaint_set


def test_the_model_beats_the_baseline_on_held_out_labels(
    tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    texts, labels = value_complaint_set()
    assert len(texts) >= 80
    evaluation, _ = evaluate("value_complaint", texts, labels, tok, lexicon)
    assert evaluation.folds == 5
    assert evaluation.baseline.f1 < 0.7  # the built-in mistakes
    assert evaluation.model.f1 > evaluation.baseline.f1 + 0.2
    assert evaluation.model_wins


def test_a_model_that_does_not_beat_the_rules_stays_inactive(
    tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    texts = [t.format(s="料金", a="6800円", e="") for t in CAUGHT + ORDINARY] * 4
    labels = [1] * len(CAUGHT) + [0] * len(ORDINARY)
    _, evaluation = train("value_complaint", texts, labels * 4, tok, lexicon)
    assert evaluation.baseline.f1 == 1.0
    assert not evaluation.model_wins


def test_the_classifier_pickles_and_follows_sklearn_conventions(tok: JapaneseTokenizer) -> None:
    texts, labels = value_complaint_set()
    tokens = [tok(t) for t in texts]
    model = SignalClassifier().fit(tokens, labels)
    assert model.get_params() == {"C": 4.0, "random_state": 0}
    restored = pickle.loads(pickle.dumps(model))
    assert list(restored.predict(tokens[:10])) == list(model.predict(tokens[:10]))
    assert pickle.loads(pickle.dumps(tok))("料金が高すぎる") == tok("料金が高すぎる")


def test_feedback_trains_a_model_used_by_the_next_analysis(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    texts, labels = value_complaint_set()
    with Session(engine) as session:
        call_ids = [add_call(session, f"fb-{i}", [("customer", text)]) for i, text in enumerate(texts)]
        for call_id in call_ids:
            analyze_call(session, call_id, tok, lexicon=lexicon)
        assert train_from_feedback(session, tok, 30, lexicon=lexicon)[1]["trained"] is False
        # Analysts review the calls: confirm or dismiss each flagged value complaint, label the complaints
        # the rules missed, and mark reviewed utterances without one (a QA sample) as negatives.
        for call_id, text, label in zip(call_ids, texts, labels, strict=True):
            flagged = session.exec(
                select(CallSignalRow).where(
                    CallSignalRow.call_id == call_id, CallSignalRow.type == "value_complaint"
                )
            ).first()
            if flagged is not None and flagged.id is not None:
                record_feedback(session, flagged.id, "confirm" if label else "dismiss", user="analyst1")
            else:
                verdict = "confirm" if label else "dismiss"
                add_label(
                    session, "value_complaint", text, verdict, user="analyst1", call_id=call_id, segment_idx=0
                )
        session.commit()
        stored = session.exec(select(SignalFeedback)).all()
        assert len(stored) == len(texts) and {f.user for f in stored} == {"analyst1"}

        reports = {r["type"]: r for r in train_from_feedback(session, tok, 30, lexicon=lexicon)}
        assert reports["value_complaint"]["trained"] and reports["value_complaint"]["model_active"]
        assert reports["churn_intent"]["trained"] is False
        report = reports["value_complaint"]
        assert report["model"]["f1"] > report["baseline"]["f1"]
        session.commit()
        assert session.exec(select(SignalModel)).one().active

        quality = {q["type"]: q for q in quality_report(session)}
        assert quality["value_complaint"]["model"] == report["model"]
        assert quality["value_complaint"]["baseline"] == report["baseline"]
        assert quality["value_complaint"]["labels"] == len(texts)
        assert quality["churn_intent"]["model"] is None

        models = load_models(session)
        assert set(models) == {"value_complaint"}
        missed = add_call(session, "new-1", [("customer", "えーと、毎月9800円の支払いがきついんです。")])
        question = add_call(
            session, "new-2", [("customer", "料金が高いプランと安いプランの違いを教えてください。")]
        )
        (found,) = analyze_call(session, missed, tok, models, lexicon=lexicon)
        assert (found.type, found.source, found.rule) == ("value_complaint", "model", None)
        assert analyze_call(session, question, tok, models, lexicon=lexicon) == []


def test_feedback_validation(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(UnknownSignalError):
            record_feedback(session, 12345, "confirm")
        with pytest.raises(ValueError, match="label"):
            add_label(session, "value_complaint", "高い", "maybe")
        with pytest.raises(ValueError, match="type"):
            add_label(session, "price", "高い", "confirm")
