"""Risk and health scores of a customer: what they said (decayed by recency) and what they do.

Recency: a signal from a call ``age`` days ago weighs ``d = 0.5 ** (age / half_life)``
(``recency_half_life_days``, 30 by default: last month's complaint counts half of today's).

Evidence of risk, 0–1 (a noisy-or, so independent pieces of evidence add up without exceeding 1)::

    E = 1 − Π_signals (1 − w_type · score · d)  ×  Π_flags (1 − w_flag · d_newest_evidence)

    w_type: churn_intent 0.9, value_complaint 0.6, competitor_mention 0.5, dissatisfaction 0.4,
            feature_struggle 0.3
    w_flag: churn_risk 0.6, cost_performance_gap 0.5, underuse 0.3, dissatisfied 0.2
    (a flag is more than its signals: a value complaint from a heavy user weighs more than from anyone)

Value: the ``ltv`` attribute from the CRM when given, else ``monthly_fee × 12``; relative to the median
value of all customers, clipped to [0.1, 10] (1 when unknown)::

    risk_score = E × value / median_value        (expected loss in "median customers"; ranks the list)

Health, 0–100 — loyalty as behavioural plus psychological indicators::

    behaviour = 0.6 · usage_rank + 0.4 · (1 − 0.5 ** (tenure_months / 12))
    health    = round(100 · (0.5 · behaviour + 0.5 · (1 − E)))

``usage_rank`` is the share of customers whose usage is at most theirs (robust to any usage scale);
unknown usage or tenure count as 0.5. The psychological part is what they said, 1 − E: nothing said
against the service scores 1.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from voc.db.customers import Customer
from voc.db.signals import FlagType, SignalType

if TYPE_CHECKING:  # types only: voc.signals.flags scores the customers it recomputes
    from voc.signals.flags import SignalFact, UsageStats

SIGNAL_RISK_WEIGHTS: dict[str, float] = {
    SignalType.CHURN_INTENT: 0.9,
    SignalType.VALUE_COMPLAINT: 0.6,
    SignalType.COMPETITOR_MENTION: 0.5,
    SignalType.DISSATISFACTION: 0.4,
    SignalType.FEATURE_STRUGGLE: 0.3,
}
FLAG_RISK_WEIGHTS: dict[str, float] = {
    FlagType.CHURN_RISK: 0.6,
    FlagType.COST_PERFORMANCE_GAP: 0.5,
    FlagType.UNDERUSE: 0.3,
    FlagType.DISSATISFIED: 0.2,
}
VALUE_FACTOR_BOUNDS = (0.1, 10.0)
NEUTRAL = 0.5


def decay(at: datetime, now: datetime, half_life_days: float) -> float:
    age_days = max((now - at).total_seconds() / 86400.0, 0.0)
    return float(0.5 ** (age_days / half_life_days))


def evidence_strength(
    facts: Sequence[SignalFact],
    flags: Mapping[str, Sequence[SignalFact]],
    now: datetime,
    half_life_days: float,
) -> float:
    miss = 1.0
    for fact in facts:
        miss *= 1.0 - SIGNAL_RISK_WEIGHTS.get(fact.type, 0.0) * fact.score * decay(
            fact.at, now, half_life_days
        )
    for flag, support in flags.items():
        if support:
            newest = max(f.at for f in support)
            miss *= 1.0 - FLAG_RISK_WEIGHTS.get(flag, 0.0) * decay(newest, now, half_life_days)
    return 1.0 - miss


@dataclass(frozen=True, slots=True)
class CustomerInputs:
    """The columns of a customer's CRM record that their flags and scores read: selected as a tuple of
    columns (the ``ltv`` attribute by JSON path), not loaded as an ORM object, when every customer is
    scored (a CRM import scores 20,000)."""

    pk: int
    customer_id: str
    name: str | None
    plan: str | None
    monthly_fee: float | None
    usage_rate: float | None
    tenure_months: int | None
    status: str
    ltv: Any = None  # the ``ltv`` attribute as stored (any JSON value), ``None`` when absent

    @classmethod
    def of(cls, customer: Customer) -> CustomerInputs:
        assert customer.id is not None
        return cls(
            pk=customer.id,
            customer_id=customer.customer_id,
            name=customer.name,
            plan=customer.plan,
            monthly_fee=customer.monthly_fee,
            usage_rate=customer.usage_rate,
            tenure_months=customer.tenure_months,
            status=customer.status,
            ltv=(customer.attributes or {}).get("ltv"),
        )


def customer_value(customer: CustomerInputs) -> float | None:
    """``ltv`` attribute when given (any number), else 12 months of the monthly fee."""
    return value_of(customer.monthly_fee, {"ltv": customer.ltv})


def value_of(monthly_fee: float | None, attributes: Mapping[str, Any] | None) -> float | None:
    """:func:`customer_value` from the two columns it reads (no ORM object needed)."""
    ltv = attributes.get("ltv") if attributes else None
    if ltv not in (None, ""):
        try:
            value = float(ltv)
        except (TypeError, ValueError):
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return value
    if monthly_fee is not None and math.isfinite(yearly := monthly_fee * 12):
        return yearly
    return None  # no fee, or one so large that a year of it overflows: no value to weigh by


def reference_value(values: Iterable[float | None]) -> float | None:
    """The median customer value (positive values only): a value factor of 1."""
    known = [v for v in values if v is not None and v > 0]
    return statistics.median(known) if known else None


def value_factor(value: float | None, reference: float | None) -> float:
    if value is None or not reference:
        return 1.0
    low, high = VALUE_FACTOR_BOUNDS
    return min(max(value / reference, low), high)


def health_score(usage_rank: float | None, tenure_months: int | None, evidence: float) -> int:
    usage = NEUTRAL if usage_rank is None else usage_rank
    tenure = NEUTRAL if tenure_months is None else 1.0 - 0.5 ** (tenure_months / 12.0)
    behaviour = 0.6 * usage + 0.4 * tenure
    return round(100 * (0.5 * behaviour + 0.5 * (1.0 - evidence)))


@dataclass(frozen=True, slots=True)
class CustomerScores:
    risk_score: float
    health_score: int
    evidence: float
    value: float | None
    value_factor: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "risk_score": self.risk_score,
            "health_score": self.health_score,
            "evidence": round(self.evidence, 4),
            "value": self.value,
            "value_factor": round(self.value_factor, 4),
        }


def score_customer(
    customer: CustomerInputs,
    facts: Sequence[SignalFact],
    flags: Mapping[str, Sequence[SignalFact]],
    *,
    usage: UsageStats,
    reference: float | None,
    now: datetime,
    half_life_days: float,
) -> CustomerScores:
    evidence = evidence_strength(facts, flags, now, half_life_days)
    value = customer_value(customer)
    factor = value_factor(value, reference)
    return CustomerScores(
        risk_score=round(evidence * factor, 4),
        health_score=health_score(usage.rank(customer.usage_rate), customer.tenure_months, evidence),
        evidence=evidence,
        value=value,
        value_factor=factor,
    )
