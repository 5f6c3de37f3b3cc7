"""Did the signals and flags see churn coming? Checked against CRM records of customers who churned.

For each signal type and flag: among customers with a known outcome (active, or churned with a
``churned_at``), how many were flagged, how many of those churned, against the base rate. For a churned
customer only signals from calls *before* ``churned_at`` count, so a flag raised on the cancellation
call itself after the fact does not flatter the numbers. Churned customers without a date are skipped.

    base_rate = churned / customers
    precision = flagged ∧ churned / flagged          recall = flagged ∧ churned / churned
    lift      = precision / base_rate                (None when undefined)
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from voc.db.customers import Customer, CustomerStatus
from voc.signals.flags import FLAG_TYPES, compute_usage_stats, derive_flags, facts_by_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SIGNAL_TYPES


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def backtest(session: Session, params: SignalParams | None = None) -> list[dict[str, Any]]:
    """One row per signal and flag: ``{name, kind, customers, churned, base_rate, flagged,
    flagged_churned, precision, recall, lift}``."""
    params = params or SignalParams()
    customers = list(session.exec(select(Customer)).all())
    usage = compute_usage_stats((c.usage_rate for c in customers), params)
    facts = facts_by_customer(session)
    outcomes: list[tuple[bool, set[str]]] = []
    for customer in customers:
        churned = customer.status == CustomerStatus.CHURNED
        if churned and customer.churned_at is None:
            continue
        own = [
            f
            for f in facts.get(customer.id or -1, [])
            if customer.churned_at is None or not churned or f.at < customer.churned_at
        ]
        found = {f.type for f in own}
        found |= set(
            derive_flags(
                own,
                high_usage=usage.is_high(customer.usage_rate),
                low_usage=usage.is_low(customer.usage_rate),
            )
        )
        outcomes.append((churned, found))
    total = len(outcomes)
    churned_total = sum(1 for churned, _ in outcomes if churned)
    base_rate = _ratio(churned_total, total)
    report = []
    for kind, names in (("signal", SIGNAL_TYPES), ("flag", FLAG_TYPES)):
        for name in names:
            flagged = sum(1 for _, found in outcomes if name in found)
            hits = sum(1 for churned, found in outcomes if churned and name in found)
            precision = _ratio(hits, flagged)
            lift = round(hits * total / (flagged * churned_total), 4) if flagged and churned_total else None
            report.append(
                {
                    "name": name,
                    "kind": kind,
                    "customers": total,
                    "churned": churned_total,
                    "base_rate": base_rate,
                    "flagged": flagged,
                    "flagged_churned": hits,
                    "precision": precision,
                    "recall": _ratio(hits, churned_total),
                    "lift": lift,
                }
            )
    return report
