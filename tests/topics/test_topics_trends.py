"""Topic shares over time, emerging topics and cross-tabs."""

from __future__ import annotations

import math
from datetime import date, datetime

import pytest

from tests.topics.helpers import majority_themes
from tests.topics.synthetic import EMERGING_THEME, Utterance
from voc.topics.model import TopicModel
from voc.topics.trends import (
    emerging_topics,
    period_start,
    shares_by_period,
    topic_by_churn,
    topic_by_segment,
    topic_by_signal,
    topic_shares,
)


def test_new_theme_of_the_last_two_weeks_is_emerging(fitted: TopicModel, utterances: list[Utterance]) -> None:
    topics = fitted.doc_topics_.tolist()
    theme_of = majority_themes(topics, [u.theme for u in utterances])
    timestamps = [u.timestamp for u in utterances]

    found = emerging_topics(timestamps, topics, period="week")

    emerging = {e.topic for e in found}
    assert {t for t, theme in theme_of.items() if theme == EMERGING_THEME} <= emerging
    assert all(theme_of[t] == EMERGING_THEME for t in emerging)  # no stable theme is reported
    top = found[0]
    last_week = period_start(max(timestamps))
    assert top.period == last_week
    in_last_week = [t for ts, t in zip(timestamps, topics, strict=True) if period_start(ts) == last_week]
    assert top.recent_count == in_last_week.count(top.topic)
    assert top.lift >= 2 and top.p_value < 0.01


def test_emerging_numbers_on_a_small_example() -> None:
    # baseline week: 100 documents, 5 of topic 1; recent week: 50 documents, 20 of topic 1
    timestamps = [datetime(2024, 1, 2)] * 100 + [datetime(2024, 1, 9)] * 50
    topics = [1] * 5 + [0] * 95 + [1] * 20 + [0] * 30
    (e,) = emerging_topics(timestamps, topics)
    assert (e.topic, e.period, e.recent_count, e.recent_total, e.baseline_count, e.baseline_total) == (
        1, date(2024, 1, 8), 20, 50, 5, 100,
    )  # fmt: skip
    pooled = 25 / 150
    z = (0.4 - 0.05) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 50))
    assert e.z == pytest.approx(z)
    assert e.lift == pytest.approx(0.4 / (5.5 / 101))
    # the same rise on a handful of documents is not reported (minimum count)
    assert emerging_topics(timestamps[:100] + timestamps[100:104], [*topics[:100], 1, 1, 1, 1]) == []


def test_shares_per_week_and_month() -> None:
    ts = [datetime(2024, 1, 1), datetime(2024, 1, 3), datetime(2024, 1, 17), datetime(2024, 2, 1)]
    topics = [0, 1, 1, -1]
    weeks = shares_by_period(ts, topics, "week")
    assert [w.period for w in weeks] == [date(2024, 1, d) for d in (1, 8, 15, 22, 29)]
    assert [w.total for w in weeks] == [2, 0, 1, 0, 1]
    assert [(s.topic, s.count, s.share) for s in weeks[0].shares] == [(-1, 0, 0.0), (0, 1, 0.5), (1, 1, 0.5)]
    months = shares_by_period(ts, topics, "month")
    assert [(m.period, m.total) for m in months] == [(date(2024, 1, 1), 3), (date(2024, 2, 1), 1)]
    overall = [(s.topic, s.count, s.share) for s in topic_shares(topics)]
    assert overall == [(-1, 1, 0.25), (0, 1, 0.25), (1, 2, 0.5)]


def test_topic_by_segment_exact() -> None:
    tab = topic_by_segment([0, 0, 1, 1, 1, -1], ["A", "B", "A", "A", None, "B"])
    assert tab.topics == [-1, 0, 1]
    assert tab.categories == ["A", "B", "不明"]
    assert tab.counts == [[0, 1, 0], [1, 1, 0], [2, 0, 1]]
    assert tab.row_shares[2] == pytest.approx([2 / 3, 0, 1 / 3])
    assert tab.column_shares[2] == pytest.approx([2 / 3, 0, 1])
    assert tab.lift[2][0] == pytest.approx((2 / 3) / (3 / 6))


def test_topic_by_signal_exact() -> None:
    tab = topic_by_signal([0, 0, 1, 1], [{"churn_risk"}, {"churn_risk", "anger"}, set(), ["anger"]])
    assert tab.signals == ["anger", "churn_risk"]
    assert tab.n_docs == [2, 2]
    assert tab.counts == [[1, 2], [1, 0]]
    assert tab.shares == [[0.5, 1.0], [0.5, 0.0]]
    assert tab.overall_shares == [0.5, 0.5]


def test_topic_by_churn_exact() -> None:
    tab = topic_by_churn([0, 0, 1, 1, 1], [True, False, False, False, True])
    assert (tab.n, tab.churned, tab.overall_rate) == (5, 2, 0.4)
    assert [(r.topic, r.n, r.churned) for r in tab.rows] == [(0, 2, 1), (1, 3, 1)]
    assert [r.lift for r in tab.rows] == pytest.approx([1.25, (1 / 3) / 0.4])
    # per customer: "a" talked about both topics and churned
    by_customer = topic_by_churn([0, 0, 1, 1, 1], [True, True, False, False, True], ["a", "a", "b", "c", "a"])
    assert (by_customer.n, by_customer.churned) == (3, 1)
    assert [(r.topic, r.n, r.churned) for r in by_customer.rows] == [(0, 1, 1), (1, 3, 1)]
    assert [r.lift for r in by_customer.rows] == pytest.approx([3.0, 1.0])
    assert topic_by_churn([0], [False]).rows[0].lift is None


def test_price_complaints_churn_more(fitted: TopicModel, utterances: list[Utterance]) -> None:
    topics = fitted.doc_topics_.tolist()
    theme_of = majority_themes(topics, [u.theme for u in utterances])
    tab = topic_by_churn(topics, [u.churned for u in utterances])
    price = [r for r in tab.rows if theme_of[r.topic] == "料金割高"]
    assert price and all(r.lift is not None and r.lift > 1.5 for r in price)


def test_inputs_must_be_parallel() -> None:
    with pytest.raises(ValueError, match="one entry per document"):
        topic_by_segment([0, 1], ["A"])
