"""Topic reports over stored calls: shares, trends, emerging topics, segments, signals, churn, examples.

Bands used for segments (documented for analysts): usage 低 < 0.3 ≤ 中 < 0.7 ≤ 高; tenure
〜6ヶ月 < 6 ≤ 6〜24ヶ月 < 24 ≤ 24ヶ月〜.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.db.calls import Call, Segment
from voc.db.customers import Customer, CustomerStatus
from voc.db.signals import CallSignalRow
from voc.db.topics import Topic, TopicAssignment, TopicModelVersion
from voc.topics import trends
from voc.topics.service import CUSTOMER_SIDE, active_version


class TopicSummaryItem(TypedDict):
    id: int | None
    index: int
    label: str
    generated_label: str
    terms: list[str]
    share: float
    calls: list[str]  # external ids (ours where a call has none)


class TopicsSummary(TypedDict):
    model_version: int | None  # None: no topic model fitted yet
    topics: list[TopicSummaryItem]


# The report's tables as JSON documents: the fields of the dataclasses in voc.topics.trends.
class ShareDoc(TypedDict):
    topic: int
    count: int
    share: float


class CrossTabDoc(TypedDict):
    topics: list[int]
    categories: list[str]
    counts: list[list[int]]
    row_shares: list[list[float]]
    column_shares: list[list[float]]
    lift: list[list[float]]


class SignalTabDoc(TypedDict):
    topics: list[int]
    signals: list[str]
    n_docs: list[int]
    counts: list[list[int]]
    shares: list[list[float]]
    overall_shares: list[float]


class ChurnRowDoc(TypedDict):
    topic: int
    n: int
    churned: int
    churn_rate: float
    lift: float | None


class ChurnTabDoc(TypedDict):
    n: int
    churned: int
    overall_rate: float
    rows: list[ChurnRowDoc]


class PeriodDoc(TypedDict):
    period: str  # the period's first day, ISO 8601
    total: int
    shares: list[ShareDoc]


class EmergingDoc(TypedDict):
    topic: int
    period: str
    recent_count: int
    recent_total: int
    recent_share: float
    baseline_count: int
    baseline_total: int
    baseline_share: float
    lift: float
    name: str | None


class ExampleCall(TypedDict):
    call_id: int
    external_id: str | None
    weight: float
    start: float  # where the topic is said: the place to start listening
    audio_url: str
    ui_url: str


class RepresentativeCalls(TypedDict):
    topic: int
    name: str
    calls: list[ExampleCall]


class NoSegments(TypedDict):
    """What ``by_segment``, ``by_signal`` and ``by_churn`` hold while no call is assigned: ``{}``."""


class TopicReport(TypedDict, total=False):
    """The topic report (names binding). Without a model only ``model_version`` (None), ``topics``,
    ``periods`` and ``emerging`` (all empty) are present."""

    model_version: int | None
    topics: list[TopicSummaryItem]
    period: trends.Period
    names: dict[str, str]
    topic_ids: dict[str, int | None]
    shares: list[ShareDoc]
    periods: list[PeriodDoc]
    emerging: list[EmergingDoc]
    by_segment: dict[str, CrossTabDoc]
    by_signal: SignalTabDoc | NoSegments
    by_churn: ChurnTabDoc | NoSegments
    representative_calls: list[RepresentativeCalls]


@dataclass(frozen=True)
class AssignedCall:
    call_id: int
    external_id: str | None
    topic: int
    weight: float
    at: datetime
    customer_id: str | None
    plan: str | None
    usage_rate: float | None
    tenure_months: int | None
    churned: bool


def usage_band(rate: float | None) -> str | None:
    if rate is None:
        return None
    return "低" if rate < 0.3 else "中" if rate < 0.7 else "高"


def tenure_band(months: int | None) -> str | None:
    if months is None:
        return None
    return "〜6ヶ月" if months < 6 else "6〜24ヶ月" if months < 24 else "24ヶ月〜"


def resolve_version(session: Session, version_id: int | None) -> TopicModelVersion | None:
    if version_id is None:
        return active_version(session)
    return session.get(TopicModelVersion, version_id)


def assigned_calls(session: Session, version_id: int) -> list[AssignedCall]:
    rows = session.exec(
        select(TopicAssignment, Call, Customer)
        .join(Call, col(Call.id) == col(TopicAssignment.call_id))
        .join(Customer, col(Customer.id) == col(Call.customer_pk), isouter=True)
        .where(TopicAssignment.version_id == version_id)
        .order_by(col(Call.id))
    ).all()
    return [
        AssignedCall(
            call_id=call.id or 0,
            external_id=call.external_id,
            topic=a.topic_index,
            weight=a.weight,
            at=call.started_at or call.created_at,
            customer_id=cust.customer_id if cust else None,
            plan=cust.plan if cust else None,
            usage_rate=cust.usage_rate if cust else None,
            tenure_months=cust.tenure_months if cust else None,
            churned=bool(cust and cust.status == CustomerStatus.CHURNED),
        )
        for a, call, cust in rows
    ]


def topics_of(session: Session, version_id: int) -> list[Topic]:
    return list(
        session.exec(select(Topic).where(Topic.version_id == version_id).order_by(col(Topic.index))).all()
    )


def topics_summary(session: Session, version_id: int | None = None) -> TopicsSummary:
    """``{model_version, topics: [{id, label, terms, share, calls: [external ids]}]}`` (names binding)."""
    version = resolve_version(session, version_id)
    if version is None or version.id is None:
        return {"model_version": None, "topics": []}
    calls = assigned_calls(session, version.id)
    total = len(calls) or 1
    out: list[TopicSummaryItem] = []
    for topic in topics_of(session, version.id):
        members = sorted((c for c in calls if c.topic == topic.index), key=lambda c: -c.weight)
        out.append(
            {
                "id": topic.id,
                "index": topic.index,
                "label": topic.display_name,
                "generated_label": topic.label,
                "terms": [t for t, _ in topic.terms],
                "share": round(len(members) / total, 4),
                "calls": [c.external_id or str(c.call_id) for c in members],
            }
        )
    return {"model_version": version.id, "topics": out}


def _crosstab(topic_ids: list[int], segments: list[str | None]) -> CrossTabDoc:
    return cast(CrossTabDoc, asdict(trends.topic_by_segment(topic_ids, segments)))


def _moment(session: Session, call_id: int, terms: set[str]) -> float:
    """The start of the customer's segment that says most of the topic's terms: where to listen."""
    segments = session.exec(
        select(Segment).where(Segment.call_id == call_id, col(Segment.speaker).in_(CUSTOMER_SIDE))
    ).all()
    best = max(segments, key=lambda s: len(terms.intersection(s.tokens)), default=None)
    return round(best.start, 2) if best else 0.0


def topic_report(
    session: Session, *, version_id: int | None = None, period: trends.Period = "week", examples: int = 3
) -> TopicReport:
    version = resolve_version(session, version_id)
    if version is None or version.id is None:
        return {"model_version": None, "topics": [], "periods": [], "emerging": []}
    calls = [c for c in assigned_calls(session, version.id) if c.topic >= 0]
    topics = topics_of(session, version.id)
    names = {t.index: t.display_name for t in topics}
    topic_ids = [c.topic for c in calls]
    times = [c.at for c in calls]
    signal_rows = session.exec(
        select(CallSignalRow.call_id, CallSignalRow.type).where(
            col(CallSignalRow.call_id).in_([c.call_id for c in calls])
        )
    ).all()
    signals_by_call: dict[int, set[str]] = {}
    for call_id, kind in signal_rows:
        signals_by_call.setdefault(call_id, set()).add(kind)
    report: TopicReport = {
        "model_version": version.id,
        "period": period,
        "names": {str(k): v for k, v in names.items()},
        "topic_ids": {str(t.index): t.id for t in topics},
        "shares": [cast(ShareDoc, asdict(s)) for s in trends.topic_shares(topic_ids)],
        "periods": [
            {
                "period": p.period.isoformat(),
                "total": p.total,
                "shares": [cast(ShareDoc, asdict(s)) for s in p.shares],
            }
            for p in trends.shares_by_period(times, topic_ids, period)
        ]
        if calls
        else [],
        "emerging": [
            cast(EmergingDoc, {**asdict(e), "period": e.period.isoformat(), "name": names.get(e.topic)})
            for e in (trends.emerging_topics(times, topic_ids, period) if calls else [])
        ],
        "by_segment": {
            "plan": _crosstab(topic_ids, [c.plan for c in calls]),
            "usage_band": _crosstab(topic_ids, [usage_band(c.usage_rate) for c in calls]),
            "tenure_band": _crosstab(topic_ids, [tenure_band(c.tenure_months) for c in calls]),
        }
        if calls
        else {},
        "by_signal": cast(
            SignalTabDoc,
            asdict(trends.topic_by_signal(topic_ids, [signals_by_call.get(c.call_id, set()) for c in calls])),
        )
        if calls
        else {},
        "by_churn": cast(
            ChurnTabDoc,
            asdict(
                trends.topic_by_churn(
                    topic_ids,
                    [c.churned for c in calls],
                    [c.customer_id or f"call-{c.call_id}" for c in calls],
                )
            ),
        )
        if calls
        else {},
    }
    reps: list[RepresentativeCalls] = []
    for topic in topics:
        members = sorted((c for c in calls if c.topic == topic.index), key=lambda c: -c.weight)[:examples]
        terms = {t for t, _ in topic.terms}
        reps.append(
            {
                "topic": topic.index,
                "name": topic.display_name,
                "calls": [
                    {
                        "call_id": c.call_id,
                        "external_id": c.external_id,
                        "weight": round(c.weight, 4),
                        "start": (start := _moment(session, c.call_id, terms)),
                        "audio_url": f"/api/v1/calls/{c.call_id}/audio",
                        "ui_url": f"/ui/calls/{c.call_id}?t={start}",
                    }
                    for c in members
                ],
            }
        )
    report["representative_calls"] = reps
    return report


def report_csv(report: TopicReport) -> str:
    """The topic shares per period of a :func:`topic_report`, one row per period and topic."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "topic_id", "topic", "name", "count", "share"])
    names, ids = report.get("names", {}), report.get("topic_ids", {})
    for p in report.get("periods", []):
        for s in p["shares"]:
            key = str(s["topic"])
            writer.writerow(
                [p["period"], ids.get(key), s["topic"], names.get(key), s["count"], round(s["share"], 4)]
            )
    return out.getvalue()
