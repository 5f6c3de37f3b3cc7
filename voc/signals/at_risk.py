"""The at-risk list customer success works through every morning: whom to call back, why, the evidence.

Customers with at least one flag in force (and not already churned), ranked by ``risk_score``
(``voc.signals.scores``: recency-weighted evidence × the customer's value). Names are binding::

    {customer_id, name, risk_score, health_score, flags: [...],
     evidence: [{type, call_id (the external id), segment, start, end, text, matched}]}
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from voc.db.customers import Customer, CustomerStatus
from voc.db.signals import CustomerFlag
from voc.db.types import utcnow
from voc.signals.flags import (
    FLAG_TYPES,
    SignalFact,
    compute_usage_stats,
    derive_flags,
    facts_by_customer,
)
from voc.signals.params import SignalParams
from voc.signals.scores import SIGNAL_RISK_WEIGHTS, decay, reference_value, score_customer, value_of

MAX_EVIDENCE = 5


def _ranked_evidence(
    facts: Sequence[SignalFact], now: datetime, half_life_days: float
) -> list[dict[str, Any]]:
    def weight(f: SignalFact) -> float:
        return SIGNAL_RISK_WEIGHTS.get(f.type, 0.0) * f.score * decay(f.at, now, half_life_days)

    seen: set[int] = set()
    out = []
    for fact in sorted(facts, key=weight, reverse=True):
        if fact.signal_id in seen:
            continue
        seen.add(fact.signal_id)
        out.append(
            {
                "type": fact.type,
                "call_id": fact.call_ref,
                "segment": fact.segment_idx,
                "start": round(fact.start, 2),
                "end": None if fact.end is None else round(fact.end, 2),
                "text": fact.text,
                "matched": fact.matched,
                "signal_id": fact.signal_id,
                "call": fact.call_pk,
            }
        )
    return out[:MAX_EVIDENCE]


def _active_flags(session: Session, customer_pks: Sequence[int] | None = None) -> dict[int, list[str]]:
    query = select(CustomerFlag.customer_pk, CustomerFlag.flag).where(CustomerFlag.active == True)  # noqa: E712
    if customer_pks is not None:
        query = query.where(col(CustomerFlag.customer_pk).in_(list(customer_pks)))
    out: dict[int, list[str]] = {}
    for pk, flag in session.exec(query).all():
        out.setdefault(pk, []).append(flag)
    for flags in out.values():
        flags.sort(key=lambda f: FLAG_TYPES.index(f) if f in FLAG_TYPES else len(FLAG_TYPES))
    return out


def _assess(
    session: Session,
    params: SignalParams,
    customer_pks: Sequence[int] | None,
    now: datetime,
    *,
    flagged_only: bool,
) -> list[dict[str, Any]]:
    # The population (usage percentiles, median value) from three columns, not every customer's row:
    # one customer's page must not build an object for every customer in the CRM.
    population = session.exec(select(Customer.usage_rate, Customer.monthly_fee, Customer.attributes)).all()
    usage = compute_usage_stats((rate for rate, _fee, _attrs in population), params)
    reference = reference_value(value_of(fee, attrs) for _rate, fee, attrs in population)
    flagged = _active_flags(session, customer_pks)
    wanted = set(flagged) if flagged_only else set(customer_pks or [])
    facts = facts_by_customer(session, wanted)
    chosen = session.exec(select(Customer).where(col(Customer.id).in_(wanted)).order_by(col(Customer.id)))
    out = []
    for customer in chosen.all():
        pk = customer.id or 0
        own = facts.get(pk, [])
        names = flagged.get(pk, [])
        due = derive_flags(
            own, high_usage=usage.is_high(customer.usage_rate), low_usage=usage.is_low(customer.usage_rate)
        )
        support = {name: due.get(name, []) for name in names}
        scores = score_customer(
            customer,
            own,
            support,
            usage=usage,
            reference=reference,
            now=now,
            half_life_days=params.recency_half_life_days,
        )
        evidence_facts = [f for name in names for f in support[name]]
        out.append(
            {
                "customer_id": customer.customer_id,
                "name": customer.name,
                "plan": customer.plan,
                "monthly_fee": customer.monthly_fee,
                "risk_score": scores.risk_score,
                "health_score": scores.health_score,
                "flags": names,
                "evidence": _ranked_evidence(evidence_facts, now, params.recency_half_life_days),
                "status": customer.status,
            }
        )
    return out


def at_risk(
    session: Session, params: SignalParams, limit: int = 50, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Flagged active customers, highest risk first (ties: customer id)."""
    assessed = [
        item
        for item in _assess(session, params, None, now or utcnow(), flagged_only=True)
        if item.pop("status") != CustomerStatus.CHURNED
    ]
    assessed.sort(key=lambda item: (-item["risk_score"], item["customer_id"]))
    return assessed[:limit]


def customer_scores(
    session: Session, customer_pk: int, params: SignalParams, *, now: datetime | None = None
) -> dict[str, Any] | None:
    """One customer's ``{customer_id, name, risk_score, health_score, flags, evidence, status}``."""
    found = _assess(session, params, [customer_pk], now or utcnow(), flagged_only=False)
    return found[0] if found else None


def assess_customers(
    session: Session, customer_pks: Sequence[int], params: SignalParams, *, now: datetime | None = None
) -> list[dict[str, Any]]:
    """The same document for many customers at once (flagged or not), for the customer list."""
    return _assess(session, params, customer_pks, now or utcnow(), flagged_only=False)
