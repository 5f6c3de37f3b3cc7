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
from voc.signals.detector import VOICED_COMPLAINTS, SignalDetector
from voc.signals.evaluation import score_set
from voc.signals.features import UtteranceAnalyzer, token_terms
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


@pytest.mark.parametrize(
    ("text", "signal", "dissatisfied"),
    [
        ("転勤で海外に行くので、解約の手続きをお願いします", "churn_intent", False),
        ("高すぎてもう無理、やめます", "churn_intent", True),
        ("設定の仕方を教えていただけますか", "feature_struggle", False),
        ("何回説明を読んでも設定できなくて、もう嫌になってきました", "feature_struggle", True),
    ],
)
def test_leaving_or_struggling_is_dissatisfaction_only_when_said_unhappily(
    detector: SignalDetector, analyzer: UtteranceAnalyzer, text: str, signal: str, dissatisfied: bool
) -> None:
    found = signals_of(detector, analyzer, text)
    assert signal in found
    assert ("dissatisfaction" in found) is dissatisfied


def test_dissatisfaction_is_its_head_or_a_negative_tone_with_a_voiced_complaint(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    # One-clause lines: a longer turn's decision is its clauses' too (test_long_turns_*).
    lines = [analyzer(u.text) for u in load_corpus(INDEPENDENT) if u.speaker != "operator"]
    utterances = [u for u in lines if not u.parts]
    proba, raised = detector.signals(utterances)
    assert np.array_equal(raised, detector.predict(utterances))
    assert np.array_equal(proba, detector.predict_proba(utterances))
    matrix = detector.features_.transform(utterances)
    assert detector.negative_head_ is not None
    tone = detector.negative_head_.proba(matrix) >= detector.negative_threshold_
    own = detector.heads_["dissatisfaction"]
    assert own is not None
    by_head = own.proba(matrix) >= detector.thresholds_["dissatisfaction"]
    voiced = raised[:, [SIGNAL_TYPES.index(s) for s in VOICED_COMPLAINTS]].any(axis=1)
    d = SIGNAL_TYPES.index("dissatisfaction")
    assert np.array_equal(raised[:, d].astype(bool), by_head | (tone & voiced))
    assert (by_head != raised[:, d].astype(bool)).any()  # the composition raises some on its own
    assert np.all(proba[raised[:, d] == 1, d] > 0)  # each raised one has a confidence to sort by


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "はい、そうです。来月で解約しようかと思ってまして。他社の方が安いので。",
            {"churn_intent", "competitor_mention"},
        ),
        (
            "えっと、請求書の件なんですけど。もう少し安いプランってないんですか、ちょっと高いので。",
            {"value_complaint"},
        ),
        ("あ、はい、わかりました。じゃあそれでお願いします。ありがとうございます。", set()),
        ("解約しようかと思ったこともあったんですけど、今は満足してます。", set()),
    ],
)
def test_long_turns_carry_what_one_of_their_sentences_says(
    detector: SignalDetector, analyzer: UtteranceAnalyzer, text: str, expected: set[str]
) -> None:
    found = signals_of(detector, analyzer, text)
    assert expected <= found
    if not expected:
        assert not found & {"churn_intent", "value_complaint", "competitor_mention"}


def test_a_long_turn_is_decided_on_its_clauses_too(
    detector: SignalDetector, analyzer: UtteranceAnalyzer
) -> None:
    turn = analyzer("お世話になっております。実は他社への乗り換えを考えてまして。")
    greeting, news = turn.parts
    assert (greeting.text, news.text) == ("お世話になっております。", "実は他社への乗り換えを考えてまして。")
    proba = detector.predict_proba([turn, *turn.parts])
    assert np.all(proba[0] >= proba[1:].max(axis=0))  # the turn says what any clause says
    words = detector.explain(turn, "competitor_mention")
    assert words and set(words) <= set(token_terms(news))  # the evidence is the clause that says it
