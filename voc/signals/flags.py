"""Customer-level flags from a customer's call signals and CRM record, stored with evidence and history.

- ``cost_performance_gap``: a value complaint from a heavy user. Heavy means usage share at or above the
  absolute threshold (``high_usage_absolute``, 0.7 of days active) *or* in the top quartile (strictly
  above the ``high_usage_percentile``, 75), whichever includes more customers: in a consumer base the
  top quartile, in a B2B base where two thirds use the service daily the absolute threshold (else a
  customer at 0.8 is "not heavy" and their complaint is lost). A share threshold (≤ 1) is ignored when
  the CRM's usage is a metric on another scale (values above 1): the percentile decides there. Heavy
  users who say the service is not worth its price are the churn that satisfaction scores miss.
- ``underuse``: low usage (at or below the low percentile) and a feature struggle: they never managed to
  use what they pay for.
- ``churn_risk``: churn intent, or a competitor mention together with dissatisfaction or a value complaint.
- ``dissatisfied``: dissatisfaction.

Each flag keeps its evidence: every supporting utterance (newest first, at most ``MAX_EVIDENCE``) with
its call, segment, second, text and the words that matched. Signals an analyst dismissed never count.
``recompute_customer`` compares the flags due with those in force and records each transition in
``customer_flag_events`` (``raised`` → webhook ``customer.flagged``, ``cleared`` →
``customer.flag_cleared``). It is idempotent: nothing changes, nothing is recorded.
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from voc.db.calls import Call
from voc.db.customers import Customer
from voc.db.signals import (
    CallSignalRow,
    CustomerFlag,
    CustomerFlagEvent,
    FeedbackLabel,
    FlagEvent,
    FlagType,
    SignalType,
)
from voc.db.types import utcnow
from voc.signals.feedback import labels_for_calls
from voc.signals.params import SignalParams
from voc.signals.risk import Population, RiskAssessment, assess, store_all, store_assessment
from voc.signals.scores import reference_value, value_of

log = logging.getLogger(__name__)

FLAG_TYPES: tuple[FlagType, ...] = tuple(FlagType)
EVENT_NAMES: dict[str, str] = {
    FlagEvent.RAISED: "customer.flagged",
    FlagEvent.CLEARED: "customer.flag_cleared",
}
MAX_EVIDENCE = 50


@dataclass(frozen=True, slots=True)
class SignalFact:
    """One non-dismissed call signal of a customer, with when the call took place."""

    signal_id: int
    call_pk: int
    call_ref: str
    type: str
    score: float
    at: datetime
    start: float
    text: str
    segment_idx: int
    end: float | None = None
    matched: str | None = None  # the words the rule or detector pointed at

    def evidence(self) -> dict[str, Any]:
        return {
            "signal_id": self.signal_id,
            "type": self.type,
            "call_id": self.call_ref,
            "segment": self.segment_idx,
            "start": round(self.start, 2),
            "end": None if self.end is None else round(self.end, 2),
            "text": self.text,
            "matched": self.matched,
            "score": self.score,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FlagChanges:
    raised: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.raised or self.cleared)


class HeavyUsageRule(StrEnum):
    """Which threshold decided "heavy user" for this customer base."""

    ABSOLUTE = "absolute"  # usage share at or above ``high_usage_absolute``
    PERCENTILE = "percentile"  # usage strictly above ``high_usage_percentile``


@dataclass(frozen=True, slots=True)
class UsageStats:
    """Usage of every customer that has one (sorted) and the thresholds derived from it.

    ``high`` is the heavy-user threshold in force; ``high_is_absolute`` says whether it is the absolute
    share (at or above) or the percentile (strictly above).
    """

    values: tuple[float, ...]
    high: float | None
    low: float | None
    high_is_absolute: bool = False

    @property
    def high_rule(self) -> HeavyUsageRule:
        return HeavyUsageRule.ABSOLUTE if self.high_is_absolute else HeavyUsageRule.PERCENTILE

    @property
    def heavy_count(self) -> int:
        """How many customers of the base are heavy users."""
        return sum(1 for v in self.values if self.is_high(v))

    def is_high(self, usage: float | None) -> bool:
        if usage is None or self.high is None:
            return False
        return usage >= self.high if self.high_is_absolute else usage > self.high

    def is_low(self, usage: float | None) -> bool:
        return usage is not None and self.low is not None and usage <= self.low

    def rank(self, usage: float | None) -> float | None:
        """Share of customers whose usage is at most ``usage`` (0–1), ``None`` when unknown."""
        if usage is None or not self.values:
            return None
        return bisect.bisect_right(self.values, usage) / len(self.values)


def compute_usage_stats(values: Iterable[float | None], params: SignalParams) -> UsageStats:
    """The thresholds for this base: heavy = absolute share or top percentile, whichever includes more."""
    known = tuple(sorted(float(v) for v in values if v is not None))
    absolute = params.high_usage_absolute
    if not known:
        return UsageStats((), absolute, None, absolute is not None)
    low = float(np.percentile(known, params.low_usage_percentile))
    percentile = float(np.percentile(known, params.high_usage_percentile))
    if absolute is None or absolute <= 1.0 < known[-1]:  # a share threshold on a metric: meaningless
        return UsageStats(known, percentile, low)
    above_percentile = len(known) - bisect.bisect_right(known, percentile)
    at_or_above_absolute = len(known) - bisect.bisect_left(known, absolute)
    if at_or_above_absolute >= above_percentile:
        return UsageStats(known, absolute, low, True)
    return UsageStats(known, percentile, low)


def usage_stats(session: Session, params: SignalParams) -> UsageStats:
    return compute_usage_stats(session.exec(select(Customer.usage_rate)).all(), params)


def derive_flags(
    facts: Sequence[SignalFact], *, high_usage: bool, low_usage: bool
) -> dict[str, list[SignalFact]]:
    """The flags due and the signals that support each (pure: no database)."""
    by_type: dict[str, list[SignalFact]] = {}
    for fact in facts:
        by_type.setdefault(fact.type, []).append(fact)
    value = by_type.get(SignalType.VALUE_COMPLAINT, [])
    dissatisfaction = by_type.get(SignalType.DISSATISFACTION, [])
    competitor = by_type.get(SignalType.COMPETITOR_MENTION, [])
    flags: dict[str, list[SignalFact]] = {}
    if high_usage and value:
        flags[FlagType.COST_PERFORMANCE_GAP] = value
    if low_usage and by_type.get(SignalType.FEATURE_STRUGGLE):
        flags[FlagType.UNDERUSE] = by_type[SignalType.FEATURE_STRUGGLE]
    churn = by_type.get(SignalType.CHURN_INTENT, [])
    if churn or (competitor and (dissatisfaction or value)):
        flags[FlagType.CHURN_RISK] = churn + competitor + ([] if churn else dissatisfaction + value)
    if dissatisfaction:
        flags[FlagType.DISSATISFIED] = dissatisfaction
    return flags


def facts_by_customer(
    session: Session, customer_pks: Iterable[int] | None = None
) -> dict[int, list[SignalFact]]:
    """Every non-dismissed signal of linked calls, grouped by customer, oldest first."""
    query = (
        select(CallSignalRow, Call)
        .join(Call, col(Call.id) == col(CallSignalRow.call_id))
        .where(col(Call.customer_pk).is_not(None))
    )
    if customer_pks is not None:
        query = query.where(col(Call.customer_pk).in_(list(customer_pks)))
    found = session.exec(query).all()
    labels = labels_for_calls(session, [c.id for _, c in found if c.id is not None])
    out: dict[int, list[SignalFact]] = {}
    for row, call in found:
        if labels.get((row.call_id, row.segment_idx, row.type)) == FeedbackLabel.DISMISS:
            continue
        assert row.id is not None and call.id is not None and call.customer_pk is not None
        out.setdefault(call.customer_pk, []).append(
            SignalFact(
                signal_id=row.id,
                call_pk=call.id,
                call_ref=call.external_id or str(call.id),
                type=row.type,
                score=row.score,
                at=call.started_at or call.created_at,
                start=row.start,
                text=row.text,
                segment_idx=row.segment_idx,
                end=row.end,
                matched=row.matched,
            )
        )
    for facts in out.values():
        facts.sort(key=lambda f: (f.at, f.call_pk, f.start))
    return out


def _evidence(facts: Iterable[SignalFact]) -> list[dict[str, Any]]:
    newest = sorted(facts, key=lambda f: (f.at, f.score), reverse=True)
    seen: set[int] = set()
    out = []
    for fact in newest:
        if fact.signal_id not in seen:
            seen.add(fact.signal_id)
            out.append(fact.evidence())
    return out[:MAX_EVIDENCE]


def population(session: Session, params: SignalParams) -> Population:
    """Usage of the whole base and the median customer value, from two columns and the ``ltv`` attribute
    of every customer (not whole attribute documents: this runs for every analysed call)."""
    ltv = col(Customer.attributes)["ltv"]
    rows = session.exec(select(Customer.usage_rate, Customer.monthly_fee, ltv)).all()
    return Population(
        usage=compute_usage_stats((rate for rate, _fee, _ltv in rows), params),
        reference=reference_value(value_of(fee, {"ltv": value}) for _rate, fee, value in rows),
    )


def flags_due(
    customer: Customer, facts: Sequence[SignalFact], base: Population
) -> dict[str, list[SignalFact]]:
    """The flags due for ``customer`` (their usage against the base's thresholds)."""
    return derive_flags(
        facts,
        high_usage=base.usage.is_high(customer.usage_rate),
        low_usage=base.usage.is_low(customer.usage_rate),
    )


def _apply_flags(
    session: Session,
    customer_pk: int,
    due: dict[str, list[SignalFact]],
    existing: dict[FlagType, CustomerFlag],
    at: datetime,
) -> FlagChanges:
    """Bring the stored flags of one customer to ``due``, recording each transition."""
    changes = FlagChanges()
    for flag in FLAG_TYPES:
        row = existing.get(flag)
        if flag in due:
            evidence = _evidence(due[flag])
            if row is None or not row.active:
                row = row or CustomerFlag(customer_pk=customer_pk, flag=flag)
                row.active, row.raised_at, row.cleared_at = True, at, None
                changes.raised.append(flag)
                session.add(
                    CustomerFlagEvent(
                        customer_pk=customer_pk, flag=flag, event=FlagEvent.RAISED, evidence=evidence, at=at
                    )
                )
            elif row.evidence == evidence:
                continue
            row.evidence, row.updated_at = evidence, at
            session.add(row)
        elif row is not None and row.active:
            row.active, row.cleared_at, row.updated_at = False, at, at
            session.add(row)
            session.add(
                CustomerFlagEvent(
                    customer_pk=customer_pk, flag=flag, event=FlagEvent.CLEARED, evidence=row.evidence, at=at
                )
            )
            changes.cleared.append(flag)
    return changes


def recompute_customer(
    session: Session,
    customer_pk: int,
    params: SignalParams,
    *,
    now: datetime | None = None,
    base: Population | None = None,
) -> FlagChanges:
    """Bring the customer's flags and risk row up to date; returns the flags raised and cleared.
    Flushes only."""
    customer = session.get(Customer, customer_pk)
    if customer is None:
        return FlagChanges()
    at = now or utcnow()
    base = base or population(session, params)
    facts = facts_by_customer(session, [customer_pk]).get(customer_pk, [])
    due = flags_due(customer, facts, base)
    existing = {
        f.flag: f for f in session.exec(select(CustomerFlag).where(CustomerFlag.customer_pk == customer_pk))
    }
    changes = _apply_flags(session, customer_pk, due, existing, at)
    store_assessment(
        session, customer_pk, assess(customer, facts, due, base, at, params.recency_half_life_days), at
    )
    session.flush()
    if changes:
        log.info("customer %s: raised %s, cleared %s", customer.customer_id, changes.raised, changes.cleared)
    return changes


def recompute_all(
    session: Session, params: SignalParams, *, now: datetime | None = None
) -> dict[str, FlagChanges]:
    """Every customer's flags and risk row (after a CRM change: the usage percentiles and the median
    value move for everyone), set-based: one query per table, then one flush of what changed."""
    at = now or utcnow()
    customers = session.exec(select(Customer).order_by(col(Customer.id))).all()
    base = population(session, params)
    facts = facts_by_customer(session)
    flags: dict[int, dict[FlagType, CustomerFlag]] = {}
    for flag_row in session.exec(select(CustomerFlag)).all():
        flags.setdefault(flag_row.customer_pk, {})[flag_row.flag] = flag_row
    assessments: dict[int, RiskAssessment] = {}
    out: dict[str, FlagChanges] = {}
    with session.no_autoflush:  # everything is loaded above: one flush at the end, not one a customer
        for customer in customers:
            pk = customer.id
            assert pk is not None
            own = facts.get(pk, [])
            due = flags_due(customer, own, base)
            changes = _apply_flags(session, pk, due, flags.get(pk, {}), at)
            if changes:
                out[customer.customer_id] = changes
            assessments[pk] = assess(customer, own, due, base, at, params.recency_half_life_days)
    session.flush()
    store_all(session, assessments, at)
    if out:
        log.info("flags changed for %d customer(s)", len(out))
    return out


def on_call_linked(
    session: Session,
    call_id: int,
    params: SignalParams,
    *,
    previous_customer_pk: int | None = None,
    now: datetime | None = None,
) -> FlagChanges:
    """A call was linked (or re-linked) to a customer: recompute that customer (and the previous one)."""
    call = session.get(Call, call_id)
    if previous_customer_pk is not None and (call is None or call.customer_pk != previous_customer_pk):
        recompute_customer(session, previous_customer_pk, params, now=now)
    if call is None or call.customer_pk is None:
        return FlagChanges()
    return recompute_customer(session, call.customer_pk, params, now=now)


def active_flags(session: Session, customer_pk: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(CustomerFlag).where(CustomerFlag.customer_pk == customer_pk, CustomerFlag.active == True)  # noqa: E712
    ).all()
    return [
        {"flag": r.flag, "raised_at": r.raised_at.isoformat(), "evidence": r.evidence}
        for r in sorted(rows, key=lambda r: FLAG_TYPES.index(r.flag) if r.flag in FLAG_TYPES else 99)
    ]


def flag_events(session: Session, *, after_id: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Flag transitions in order, for webhooks: ``{id, event, customer_id, flag, at, evidence}``."""
    found = session.exec(
        select(CustomerFlagEvent, Customer)
        .join(Customer, col(Customer.id) == col(CustomerFlagEvent.customer_pk))
        .where(col(CustomerFlagEvent.id) > after_id)
        .order_by(col(CustomerFlagEvent.id))
        .limit(limit)
    ).all()
    return [
        {
            "id": e.id,
            "event": EVENT_NAMES[e.event],
            "customer_id": c.customer_id,
            "flag": e.flag,
            "at": e.at.isoformat(),
            "evidence": e.evidence,
        }
        for e, c in found
    ]
