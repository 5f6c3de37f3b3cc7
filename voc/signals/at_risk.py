"""The at-risk list customer success works through every morning: whom to call back, why, the evidence.

Customers with at least one flag in force (and not already churned), ranked by ``risk_score``
(``voc.signals.scores``: recency-weighted evidence × the customer's value). Names are binding::

    {customer_id, name, risk_score, health_score, flags: [...],
     evidence: [{type, call_id (the external id), segment, start, end, text, matched}]}

The scores are read from ``customer_risk`` (``voc.signals.risk``: written whenever flags are recomputed),
so the list is one indexed query; :func:`assess_from_scratch` computes the same from the signals, flags
and CRM records (the rows' backfill, and the check that the rows are right).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from voc.db.customers import Customer, CustomerBaseToken
from voc.db.risk import CustomerRisk
from voc.db.signals import CustomerFlag
from voc.db.types import utcnow
from voc.signals.flags import customer_inputs, facts_by_customer, flags_due, population, population_of
from voc.signals.params import SignalParams
from voc.signals.risk import EvidenceRef, RiskAssessment, assess, from_row, store_all

__all__ = [
    "EvidenceRef",
    "RiskAssessment",
    "assess_customers",
    "assess_from_scratch",
    "at_risk",
    "backfill",
    "base_state",
    "customer_scores",
    "rescore_stale",
]


def _active_flags(session: Session, customer_pks: Sequence[int] | None) -> dict[int, list[str]]:
    query = select(CustomerFlag.customer_pk, CustomerFlag.flag).where(CustomerFlag.active == True)  # noqa: E712
    if customer_pks is not None:
        query = query.where(col(CustomerFlag.customer_pk).in_(list(customer_pks)))
    out: dict[int, list[str]] = {}
    for pk, flag in session.exec(query).all():
        out.setdefault(pk, []).append(flag)
    return out


def assess_from_scratch(
    session: Session,
    params: SignalParams,
    customer_pks: Sequence[int] | None = None,
    *,
    now: datetime | None = None,
) -> dict[int, RiskAssessment]:
    """Every given customer (``None``: all) scored from their signals, the flags in force and the CRM."""
    at = now or utcnow()
    customers = customer_inputs(session, customer_pks)
    base = population_of(customers, params) if customer_pks is None else population(session, params)
    flagged = _active_flags(session, customer_pks)
    facts = facts_by_customer(session, customer_pks)
    out: dict[int, RiskAssessment] = {}
    for customer in customers:
        own = facts.get(customer.pk, [])
        due = flags_due(customer, own, base)
        support = {name: due.get(name, []) for name in flagged.get(customer.pk, [])}
        out[customer.pk] = assess(customer, own, support, base, at, params.recency_half_life_days)
    return out


def backfill(session: Session, params: SignalParams, *, now: datetime | None = None) -> int:
    """When some customers have no row (a database from before ``customer_risk``, customers written
    without a refresh): every row, as the population is now (a new customer moves the usage ranks and
    the median value of all). Returns how many customers had none. Flushes only."""
    missing = session.exec(
        select(func.count())
        .select_from(Customer)
        .outerjoin(CustomerRisk, col(CustomerRisk.customer_pk) == col(Customer.id))
        .where(col(CustomerRisk.customer_pk).is_(None))
    ).one()
    if not missing:
        return 0
    at = now or utcnow()
    store_all(session, assess_from_scratch(session, params, now=at), at)
    return int(missing)


def rescore_stale(
    session: Session,
    params: SignalParams,
    *,
    max_age: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> int:
    """Every row again when the oldest is older than ``max_age``: the recency decay moves scores with
    time alone (a day is at most 2.3 % of a weight). Returns how many rows changed. Flushes only."""
    at = now or utcnow()
    oldest = session.exec(select(func.min(CustomerRisk.computed_at))).one()
    if oldest is None or oldest > at - max_age:
        return 0
    return store_all(session, assess_from_scratch(session, params, now=at), at)


@dataclass(frozen=True, slots=True)
class BaseState:
    """The newest customer's id, the newest risk row's, and the customer-base token
    (``voc.db.customers.CustomerBaseToken``: replaced by every write to customers)."""

    newest: int | None
    scored: int | None
    token: str | None

    @property
    def rows_complete(self) -> bool:
        """Whether the newest customer has a row. Every write path refreshes all rows
        (``refresh_after_records_changed``), so a customer without one is one written since without
        it, and has the highest id."""
        return self.newest is None or (self.scored is not None and self.scored >= self.newest)


BASE_STATE = sa.select(
    sa.select(func.max(Customer.id)).scalar_subquery(),
    sa.select(func.max(CustomerRisk.customer_pk)).scalar_subquery(),
    sa.select(col(CustomerBaseToken.token)).where(col(CustomerBaseToken.id) == 1).scalar_subquery(),
)


def base_state(session: Session) -> BaseState:
    """Two primary-key look-ups and the token row in one statement, cheap for every list request."""
    newest, scored, token = session.connection().execute(BASE_STATE).one()
    return BaseState(newest, scored, token)


#: The at-risk list's page: built once (a statement costs more to build than to run), sized per request.
AT_RISK_PAGE = (
    sa.select(  # sqlmodel's select() types at most four columns
        col(CustomerRisk.risk_score),
        col(CustomerRisk.health_score),
        col(CustomerRisk.flags),
        col(CustomerRisk.evidence),
        col(Customer.customer_id),
        col(Customer.name),
        col(Customer.plan),
        col(Customer.monthly_fee),
        col(Customer.status),
    )
    .join(Customer, col(Customer.id) == col(CustomerRisk.customer_pk))
    .where(col(CustomerRisk.listed) == True)  # noqa: E712
    .order_by(col(CustomerRisk.risk_score).desc(), col(CustomerRisk.customer_id))
    .limit(sa.bindparam("limit", type_=sa.Integer))
)


def at_risk(session: Session, limit: int = 50) -> list[RiskAssessment]:
    """Flagged active customers, highest risk first (ties: customer id): an index range, not a scan,
    reading the columns the list shows as plain rows (on the session's connection: no ORM loading)."""
    found = session.connection().execute(AT_RISK_PAGE, {"limit": limit}).all()
    return [
        RiskAssessment(
            customer_id=customer_id,
            name=name,
            plan=plan,
            monthly_fee=fee,
            risk_score=risk,
            health_score=health,
            flags=list(flags),
            evidence=[EvidenceRef.from_dict(e) for e in evidence],
            status=status,
        )
        for risk, health, flags, evidence, customer_id, name, plan, fee, status in found
    ]


def assess_customers(
    session: Session, customer_pks: Iterable[int], params: SignalParams
) -> dict[int, RiskAssessment]:
    """The stored assessment of each customer (flagged or not); one without a row yet is computed."""
    pks = list(customer_pks)
    found = session.exec(
        select(CustomerRisk, Customer)
        .join(Customer, col(Customer.id) == col(CustomerRisk.customer_pk))
        .where(col(CustomerRisk.customer_pk).in_(pks))
    ).all()
    out = {row.customer_pk: from_row(row, customer) for row, customer in found}
    missing = [pk for pk in pks if pk not in out]
    if missing:
        out.update(assess_from_scratch(session, params, missing))
    return out


def customer_scores(session: Session, customer_pk: int, params: SignalParams) -> RiskAssessment | None:
    """One customer's risk, health, flags and evidence (``None``: no such customer)."""
    return assess_customers(session, [customer_pk], params).get(customer_pk)
