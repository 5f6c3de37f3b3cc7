"""The signals stage with the shipped detector: customer turns only, calibrated scores, reasons kept."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.db.signals import SignalSource
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import UNKNOWN_SPEAKER_WEIGHT, analyze_call
from voc.signals.corpus import load_corpus
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES, SignalLexicon

from .helpers import add_call
from .test_detector import INDEPENDENT


def test_the_detector_decides_on_customer_turns_and_never_on_the_operators(
    engine: Engine,
    tok: JapaneseTokenizer,
    lexicon: SignalLexicon,
    detector: SignalDetector,
    analyzer: UtteranceAnalyzer,
) -> None:
    turns = [
        ("operator", "料金が高いとのことで、大変申し訳ございません。解約のお手続きもご案内できます。"),
        ("customer", "正直、この内容でこの料金は見合ってないと思うんですよね。"),
        ("customer", "住所の変更もお願いできますか。"),
        ("unknown", "他社の方が安いので、来月で解約したいです。"),
        # A recorder's turn of several sentences: each is read, and the quiet ones dilute nothing.
        (
            "customer",
            "はい、お世話になっております。実は来月で解約しようかと思ってまして。他社の方が安いので。",
        ),
    ]
    with Session(engine) as session:
        call_id = add_call(session, "det-1", turns)
        rows = analyze_call(session, call_id, tok, lexicon=lexicon, detector=detector, analyzer=analyzer)
        by_segment: dict[int, set[str]] = {}
        for row in rows:
            by_segment.setdefault(row.segment_idx, set()).add(row.type)
            assert row.source == SignalSource.DETECTOR
            assert row.model_score is not None and 0 < row.model_score <= 1
            assert row.matched  # the rule's words, or the words that weighed most
            weight = UNKNOWN_SPEAKER_WEIGHT if row.speaker == "unknown" else 1.0
            assert abs(row.score - round(row.model_score * weight, 4)) < 1e-3
    assert 0 not in by_segment and 2 not in by_segment
    assert "value_complaint" in by_segment[1]
    assert {"churn_intent", "competitor_mention"} <= by_segment[3]
    assert {"churn_intent", "competitor_mention"} <= by_segment[4]


def test_without_a_detector_the_rules_still_decide(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        call_id = add_call(session, "det-2", [("customer", "料金が高すぎるので解約したい")])
        rows = analyze_call(session, call_id, tok, lexicon=lexicon)
    assert {r.type for r in rows} >= {"value_complaint", "churn_intent"}
    assert {r.source for r in rows} == {SignalSource.BASELINE}


def test_the_stage_stores_exactly_what_the_detector_raises(
    engine: Engine,
    tok: JapaneseTokenizer,
    lexicon: SignalLexicon,
    detector: SignalDetector,
    analyzer: UtteranceAnalyzer,
) -> None:
    # Dissatisfaction raised by a negative tone with a voiced complaint can sit below its own head's
    # threshold: the stage must follow the detector's decision, not re-threshold the confidence.
    texts = [u.text for u in load_corpus(INDEPENDENT) if u.speaker == "customer"][:40]
    expected = detector.predict([analyzer(t) for t in texts])
    with Session(engine) as session:
        call_id = add_call(session, "det-3", [("customer", t) for t in texts])
        rows = analyze_call(session, call_id, tok, lexicon=lexicon, detector=detector, analyzer=analyzer)
    stored = {(row.segment_idx, str(row.type)) for row in rows}
    assert stored == {
        (i, signal)
        for i, row in enumerate(expected)
        for signal, hit in zip(SIGNAL_TYPES, row, strict=True)
        if hit
    }
