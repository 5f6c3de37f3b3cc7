"""Topic shares over time, emerging topics, and topic cross-tabs (segment, signal, churn).

Plain data in (parallel sequences: one entry per document), frozen dataclasses out; topic ``-1`` (no topic)
is counted like any other id so shares add up to 1 over all documents.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Period = Literal["week", "month"]


def period_start(ts: datetime | date, period: Period = "week") -> date:
    """First day of the ISO week (Monday) or month containing ``ts``."""
    d = ts.date() if isinstance(ts, datetime) else ts
    if period == "week":
        return d - timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    raise ValueError(f"unknown period {period!r}")


def _next_period(d: date, period: Period) -> date:
    if period == "week":
        return d + timedelta(days=7)
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


@dataclass(frozen=True)
class TopicShare:
    topic: int
    count: int
    share: float


@dataclass(frozen=True)
class PeriodShares:
    """Topic counts and shares within one period (every topic seen anywhere, zeros included)."""

    period: date
    total: int
    shares: list[TopicShare]


def _check_lengths(*seqs: Sequence[object]) -> None:
    if len({len(s) for s in seqs}) > 1:
        raise ValueError("all inputs need one entry per document")


def topic_shares(topics: Sequence[int]) -> list[TopicShare]:
    """Count and share of each topic over all documents, by topic id."""
    counts = Counter(int(t) for t in topics)
    n = len(topics)
    return [TopicShare(t, c, c / n) for t, c in sorted(counts.items())]


def shares_by_period(
    timestamps: Sequence[datetime | date], topics: Sequence[int], period: Period = "week"
) -> list[PeriodShares]:
    """Per period (consecutive, empty periods included with total 0), each topic's count and share."""
    _check_lengths(timestamps, topics)
    if not topics:
        return []
    all_topics = sorted({int(t) for t in topics})
    by_period: dict[date, Counter[int]] = {}
    for ts, t in zip(timestamps, topics, strict=True):
        by_period.setdefault(period_start(ts, period), Counter())[int(t)] += 1
    out: list[PeriodShares] = []
    p, last = min(by_period), max(by_period)
    while p <= last:
        counts = by_period.get(p, Counter())
        total = sum(counts.values())
        shares = [TopicShare(t, counts[t], counts[t] / total if total else 0.0) for t in all_topics]
        out.append(PeriodShares(p, total, shares))
        p = _next_period(p, period)
    return out


@dataclass(frozen=True)
class EmergingTopic:
    """A topic whose share in the recent period(s) rose beyond noise against the baseline period(s)."""

    topic: int
    period: date  # first day of the (first) recent period
    recent_count: int
    recent_total: int
    recent_share: float
    baseline_count: int
    baseline_total: int
    baseline_share: float
    lift: float
    z: float
    p_value: float


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def emerging_topics(
    timestamps: Sequence[datetime | date],
    topics: Sequence[int],
    period: Period = "week",
    recent_periods: int = 1,
    baseline_periods: int | None = None,
    min_count: int = 5,
    min_lift: float = 2.0,
    alpha: float = 0.01,
) -> list[EmergingTopic]:
    """Topics whose share rose in the last ``recent_periods`` periods vs the ``baseline_periods`` before them.

    The test: one-sided two-proportion z-test with pooled variance (share recent > share baseline),
    ``p_value < alpha``; plus at least ``min_count`` recent documents (a z-test on 2 documents means
    nothing) and ``lift ≥ min_lift``, where lift = recent share / baseline share and the baseline share is
    smoothed as (count + 0.5) / (total + 1) so that a brand-new topic has a finite lift. Baseline = all
    earlier periods when ``baseline_periods`` is None. Topic -1 is never reported. Sorted by z, highest first.
    """
    _check_lengths(timestamps, topics)
    series = shares_by_period(timestamps, topics, period)
    if len(series) <= recent_periods:
        return []
    recent = series[-recent_periods:]
    baseline = series[:-recent_periods]
    if baseline_periods is not None:
        baseline = baseline[-baseline_periods:]
    n1 = sum(p.total for p in recent)
    n0 = sum(p.total for p in baseline)
    if n1 == 0 or n0 == 0:
        return []
    out: list[EmergingTopic] = []
    for i, share in enumerate(recent[0].shares):
        topic = share.topic
        if topic < 0:
            continue
        k1 = sum(p.shares[i].count for p in recent)
        k0 = sum(p.shares[i].count for p in baseline)
        p1, p0 = k1 / n1, k0 / n0
        pooled = (k0 + k1) / (n0 + n1)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n0 + 1 / n1))
        z = (p1 - p0) / se if se > 0 else 0.0
        p_value = _normal_sf(z)
        lift = p1 / ((k0 + 0.5) / (n0 + 1))
        if k1 >= min_count and lift >= min_lift and p_value < alpha:
            out.append(EmergingTopic(topic, recent[0].period, k1, n1, p1, k0, n0, p0, lift, z, p_value))
    out.sort(key=lambda e: (-e.z, e.topic))
    return out


@dataclass(frozen=True)
class CrossTab:
    """Topic × category counts. ``row_shares[i][j]`` = P(category j | topic i), ``column_shares[i][j]`` =
    P(topic i | category j), ``lift[i][j]`` = P(category j | topic i) / P(category j)."""

    topics: list[int]
    categories: list[str]
    counts: list[list[int]]
    row_shares: list[list[float]]
    column_shares: list[list[float]]
    lift: list[list[float]]


def topic_by_segment(
    topics: Sequence[int], segments: Sequence[str | None], missing: str = "不明"
) -> CrossTab:
    """Cross-tab of topics against any categorical column (plan, usage band, tenure band).

    A missing value (None) counts as the category ``missing``."""
    _check_lengths(topics, segments)
    segs = [missing if s is None else str(s) for s in segments]
    topic_ids = sorted({int(t) for t in topics})
    cats = sorted(set(segs))
    pair = Counter(zip((int(t) for t in topics), segs, strict=True))
    counts = [[pair[(t, c)] for c in cats] for t in topic_ids]
    row_tot = [sum(r) for r in counts]
    col_tot = [sum(counts[i][j] for i in range(len(topic_ids))) for j in range(len(cats))]
    n = len(segs)
    row_shares = [[c / row_tot[i] if row_tot[i] else 0.0 for c in r] for i, r in enumerate(counts)]
    column_shares = [[c / col_tot[j] if col_tot[j] else 0.0 for j, c in enumerate(r)] for r in counts]
    lift = [
        [row_shares[i][j] / (col_tot[j] / n) if col_tot[j] else 0.0 for j in range(len(cats))]
        for i in range(len(topic_ids))
    ]
    return CrossTab(topic_ids, cats, counts, row_shares, column_shares, lift)


@dataclass(frozen=True)
class SignalTab:
    """Topic × signal: ``counts[i][j]`` documents of topic i carry signal j; ``shares[i][j]`` = that count /
    ``n_docs[i]``; ``overall_shares[j]`` = share of all documents with signal j."""

    topics: list[int]
    signals: list[str]
    n_docs: list[int]
    counts: list[list[int]]
    shares: list[list[float]]
    overall_shares: list[float]


def topic_by_signal(topics: Sequence[int], signals: Sequence[Collection[str]]) -> SignalTab:
    """Share of each topic's documents with each signal (a document may carry any number of signals)."""
    _check_lengths(topics, signals)
    topic_ids = sorted({int(t) for t in topics})
    names = sorted({s for sigs in signals for s in sigs})
    n_docs = Counter(int(t) for t in topics)
    pair: Counter[tuple[int, str]] = Counter()
    overall: Counter[str] = Counter()
    for t, sigs in zip(topics, signals, strict=True):
        for s in set(sigs):
            pair[(int(t), s)] += 1
            overall[s] += 1
    counts = [[pair[(t, s)] for s in names] for t in topic_ids]
    shares = [[c / n_docs[t] for c in row] for t, row in zip(topic_ids, counts, strict=True)]
    n = len(topics)
    return SignalTab(
        topic_ids,
        names,
        [n_docs[t] for t in topic_ids],
        counts,
        shares,
        [overall[s] / n if n else 0.0 for s in names],
    )


@dataclass(frozen=True)
class ChurnRow:
    """``churn_rate`` = P(churned | topic); ``lift`` = churn_rate / overall rate (None: nobody churned)."""

    topic: int
    n: int
    churned: int
    churn_rate: float
    lift: float | None


@dataclass(frozen=True)
class ChurnTab:
    n: int
    churned: int
    overall_rate: float
    rows: list[ChurnRow]


def topic_by_churn(
    topics: Sequence[int], churned: Sequence[bool], customer_ids: Sequence[str] | None = None
) -> ChurnTab:
    """Churn rate and lift per topic.

    Without ``customer_ids`` the unit is the document (call). With them, the unit is the customer: a
    customer counts once per topic they talked about, and once overall (their churn flag must be the same
    on all their documents; the last one wins otherwise).
    """
    _check_lengths(topics, churned, *([customer_ids] if customer_ids is not None else []))
    units: Sequence[int | str] = list(range(len(topics))) if customer_ids is None else customer_ids
    flags: dict[int | str, bool] = {}
    pairs: set[tuple[int | str, int]] = set()
    for unit, t, c in zip(units, topics, churned, strict=True):
        flags[unit] = bool(c)
        pairs.add((unit, int(t)))
    n, n_churned = len(flags), sum(flags.values())
    overall = n_churned / n if n else 0.0
    members: Counter[int] = Counter(t for _, t in pairs)
    churners: Counter[int] = Counter(t for unit, t in pairs if flags[unit])
    rows = []
    for t in sorted(members):
        rate = churners[t] / members[t]
        rows.append(ChurnRow(t, members[t], churners[t], rate, rate / overall if overall > 0 else None))
    return ChurnTab(n, n_churned, overall, rows)
