"""The learned detector on sentences nobody wrote its corpus from, and its contract with the pipeline.

The quality gate reads ``tests/fixtures/signals/independent.jsonl``: utterances written separately from
the training corpus (``models/signals/``), never trained on. The shipped detector (built by
``voc models build``) must beat the rule book on every signal there and keep decoys quiet.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from voc.nlp.sentiment import Lexicon
from voc.signals.corpus import load_corpus
from voc.signals.detector import SignalDetector
from voc.signals.evaluation import score_set
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES

INDEPENDENT = Path(__file__).resolve().parents[1] / "fixtures" / "signals" / "independent.jsonl"


def signals_of(detector: SignalDetector, analyzer: UtteranceAnalyzer, text: str) -> set[str]:
    (row,) = detector.predict([analyzer(text)])
    return {s for s, hit in zip(SIGNAL_TYPES, row, strict=True) if hit}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A resented price is dissatisfaction too (models/signals/README.md, label definitions).
        ("料金が高めなんですよね", {"value_complaint", "dissatisfaction"}),
        ("契約を打ち切りたいです", {"churn_intent"}),
        ("今月で終わりにしたい", {"churn_intent"}),
        ("MNPの予約番号をください", {"churn_intent"}),
        ("動画が止まってばかりで使い物にならない", {"dissatisfaction"}),
        ("金曜日に高い山に登りました", set()),
        ("料金は高くはないと思います", set()),
        ("解約するつもりはないです", set()),
    ],
)
def test_wordings_the_rules_got_wrong(
    detector: SignalDetector, analyzer: UtteranceAnalyzer, text: str, expected: set[str]
) -> None:
    assert signals_of(detector, analyzer, text) == expected


def test_a_customer_who_came_from_a_competitor_is_not_churning(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    found = signals_of(detector, analyzer, "他社から乗り換えてきました、満足してます")
    assert "churn_intent" not in found
    assert "competitor_mention" in found


def test_independent_sentences_beat_the_rules_and_spare_the_decoys(
    detector: SignalDetector, analyzer: UtteranceAnalyzer, sentiment_lexicon: Lexicon
) -> None:
    scores = score_set("independent", detector, load_corpus(INDEPENDENT), analyzer.analyse, sentiment_lexicon)
    for signal in SIGNAL_TYPES:
        learned, rules = scores.detector[signal], scores.rules[signal]
        assert learned.f1 >= 0.7, (signal, learned)
        assert learned.precision >= 0.8, (signal, learned)
        assert learned.f1 > rules.f1 + 0.1, (signal, learned, rules)
    assert scores.decoy_fp_detector <= 0.1
    assert scores.sentiment_negative_f1 is not None and scores.sentiment_negative_f1_lexicon is not None
    assert scores.sentiment_negative_f1 > scores.sentiment_negative_f1_lexicon + 0.2


def test_confidence_is_a_probability_that_orders_the_evidence(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    complaints = [
        "高いです",
        "ちょっと料金が高いかなと思って",
        "この値段でこの品質はありえない、高すぎる",
        "うーん、お値段なりなのかなあ",
        "他と比べると少し割高な気もします",
        "払ってる分の価値はあるのかなって最近思うんです",
        "予算的にちょっと厳しいかもしれません",
        "料金のわりに使えるところが少ないですね",
    ]
    column = SIGNAL_TYPES.index("value_complaint")
    proba = detector.predict_proba([analyzer(t) for t in [*complaints, "ありがとう、助かりました"]])[
        :, column
    ]
    assert np.all((proba >= 0) & (proba <= 1))
    assert len({round(float(p), 2) for p in proba[:-1]}) >= 4  # not one fixed confidence for all
    assert proba[-1] < 0.2 < proba[2]


def test_a_trained_detector_survives_pickling_without_its_tagger_or_encoder(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    again = pickle.loads(pickle.dumps(detector))
    utterances = [analyzer("他社の方が安いので解約したい")]
    assert np.allclose(again.predict_proba(utterances), detector.predict_proba(utterances))


def test_explanations_name_the_words_that_weighed(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    words = detector.explain(analyzer("サポートの対応が最悪で本当に腹が立ちました"), "dissatisfaction")
    assert words
    assert all(isinstance(w, str) and w for w in words)
