"""The customer list: search by name, id or phone; sort by risk, fee, health; paging; a CSV export.

Risk and health are read from ``customer_risk`` (``voc.signals.risk``, kept up to date when flags are
recomputed), so a page is one query over the columns the list shows, sorted and cut by the database,
plus a count.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from voc.customers.followup import FollowUp
from voc.customers.phones import normalise_phone
from voc.db.customers import Customer, CustomerFollowUp, CustomerPhone, FollowUpState
from voc.db.risk import CustomerRisk
from voc.signals.at_risk import backfill, rows_complete
from voc.signals.params import SignalParams
from voc.signals.risk import EvidenceRef


class CustomerSort(StrEnum):
    RISK = "risk"
    FEE = "fee"
    HEALTH = "health"
    NAME = "name"
    CUSTOMER_ID = "customer_id"


class FollowUpFilter(StrEnum):
    NONE = "none"  # not contacted yet
    CONTACTED = "contacted"
    DONE = "done"


@dataclass(frozen=True)
class CustomerQuery:
    q: str | None = None
    sort: CustomerSort = CustomerSort.RISK
    descending: bool = True
    flagged_only: bool = False
    follow_up: FollowUpFilter | None = None
    offset: int = 0
    limit: int | None = 50  # None: every match (the export)


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    """One line of the customer list."""

    customer_id: str
    name: str | None
    plan: str | None
    monthly_fee: float | None
    usage_rate: float | None
    tenure_months: int | None
    risk_score: float
    health_score: int
    flags: list[str]
    evidence: list[EvidenceRef]
    follow_up: FollowUp | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "plan": self.plan,
            "monthly_fee": self.monthly_fee,
            "usage_rate": self.usage_rate,
            "tenure_months": self.tenure_months,
            "risk_score": self.risk_score,
            "health_score": self.health_score,
            "flags": list(self.flags),
            "evidence": [e.as_dict() for e in self.evidence],
            "follow_up": self.follow_up.as_dict() if self.follow_up else None,
        }


@dataclass(frozen=True)
class CustomerPage:
    items: list[ListedCustomer]
    total: int


def _search(q: str | None) -> ColumnElement[bool] | None:
    text = (q or "").strip()
    if not text:
        return None
    like = f"%{text.lower()}%"
    conditions = [
        func.lower(col(Customer.customer_id)).like(like),
        func.lower(col(Customer.name)).like(like),
    ]
    phone = normalise_phone(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    phone_pks = select(CustomerPhone.customer_pk)
    if phone is not None:
        conditions.append(col(Customer.id).in_(phone_pks.where(CustomerPhone.e164 == phone)))
    elif len(digits) >= 4:  # part of a number: 5678-9012 finds 03-5678-9012
        conditions.append(col(Customer.id).in_(phone_pks.where(col(CustomerPhone.e164).contains(digits))))
    return or_(*conditions)


def _filters(query: CustomerQuery) -> list[ColumnElement[bool]]:
    out = []
    if (search := _search(query.q)) is not None:
        out.append(search)
    if query.flagged_only:
        out.append(col(CustomerRisk.listed) == True)  # noqa: E712
    if query.follow_up == FollowUpFilter.NONE:
        out.append(col(CustomerFollowUp.customer_pk).is_(None))
    elif query.follow_up is not None:
        out.append(col(CustomerFollowUp.state) == FollowUpState(query.follow_up.value))
    return out


def _order(session: Session, sort: CustomerSort, descending: bool) -> list[Any]:
    """By the field, ties by customer id (ascending either way); missing values last in either direction.
    Text in code point order on every backend (as Python sorts it)."""
    tie = col(CustomerRisk.customer_id)  # code point order on PostgreSQL too (its column collation)
    if sort == CustomerSort.CUSTOMER_ID:
        return [tie.desc() if descending else tie.asc()]
    field: Any = {
        CustomerSort.RISK: col(CustomerRisk.risk_score),
        CustomerSort.FEE: col(Customer.monthly_fee),
        CustomerSort.HEALTH: col(CustomerRisk.health_score),
        CustomerSort.NAME: col(Customer.name),
    }[sort]
    nullable = sort in (CustomerSort.FEE, CustomerSort.NAME)
    if sort == CustomerSort.NAME and session.get_bind().dialect.name == "postgresql":
        field = field.collate("C")
    by = [field.desc() if descending else field.asc(), tie.asc()]
    return [field.is_(None), *by] if nullable else by


def _count(query: CustomerQuery) -> Any:
    """The count of matches over the tables its filters read, not the join a page needs: every customer
    has a risk row, so the plain list is a count of ``customers``, the flagged one an index range."""
    searched = _search(query.q) is not None
    if query.flagged_only:
        count = select(func.count()).select_from(CustomerRisk)
        if searched:
            count = count.join(Customer, col(Customer.id) == col(CustomerRisk.customer_pk))
        key: Any = col(CustomerRisk.customer_pk)
    else:
        count = select(func.count()).select_from(Customer)
        key = col(Customer.id)
    if query.follow_up is not None:
        count = count.outerjoin(CustomerFollowUp, col(CustomerFollowUp.customer_pk) == key)
    return count


def list_customers(session: Session, query: CustomerQuery, params: SignalParams) -> CustomerPage:
    if not rows_complete(session):
        backfill(session, params)  # customers written without a refresh (rare): scored once
    filters = _filters(query)
    total = session.exec(_count(query).where(*filters)).one()
    shown: list[Any] = [
        col(Customer.customer_id),
        col(Customer.name),
        col(Customer.plan),
        col(Customer.monthly_fee),
        col(Customer.usage_rate),
        col(Customer.tenure_months),
        col(CustomerRisk.risk_score),
        col(CustomerRisk.health_score),
        col(CustomerRisk.flags),
        col(CustomerRisk.evidence),
        col(CustomerFollowUp.state),
        col(CustomerFollowUp.by_name),
        col(CustomerFollowUp.at),
    ]
    page = (
        sa.select(*shown)  # sqlmodel's select() types at most four columns
        .join(CustomerRisk, col(CustomerRisk.customer_pk) == col(Customer.id))
        .outerjoin(CustomerFollowUp, col(CustomerFollowUp.customer_pk) == col(Customer.id))
        .where(*filters)
        .order_by(*_order(session, query.sort, query.descending))
        .offset(query.offset)
    )
    if query.limit is not None:
        page = page.limit(query.limit)
    items = [_item(*row) for row in session.execute(page).all()]
    return CustomerPage(items=items, total=int(total))


def _item(
    customer_id: str,
    name: str | None,
    plan: str | None,
    fee: float | None,
    usage: float | None,
    tenure: int | None,
    risk: float,
    health: int,
    flags: list[str],
    evidence: list[dict[str, Any]],
    state: str | None,
    by: str | None,
    at: datetime | None,
) -> ListedCustomer:
    return ListedCustomer(
        customer_id=customer_id,
        name=name,
        plan=plan,
        monthly_fee=fee,
        usage_rate=usage,
        tenure_months=tenure,
        risk_score=risk,
        health_score=health,
        flags=list(flags),
        evidence=[EvidenceRef.from_dict(e) for e in evidence],
        follow_up=FollowUp(FollowUpState(state), by, at) if state and by and at else None,
    )


CSV_COLUMNS = (
    "customer_id",
    "name",
    "plan",
    "monthly_fee",
    "risk_score",
    "health_score",
    "flags",
    "follow_up",
    "follow_up_by",
    "follow_up_at",
    "evidence",
)


def customers_csv(items: Sequence[ListedCustomer]) -> str:
    """The list as Excel reads it: UTF-8 with a BOM, CRLF; flags and the evidence quotes in one cell each."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        follow = item.follow_up.as_dict() if item.follow_up else {}
        writer.writerow(
            [
                item.customer_id,
                item.name or "",
                item.plan or "",
                "" if item.monthly_fee is None else item.monthly_fee,
                item.risk_score,
                item.health_score,
                " ".join(item.flags),
                follow.get("state", ""),
                follow.get("by", ""),
                follow.get("at", ""),
                " / ".join(dict.fromkeys(e.text for e in item.evidence)),
            ]
        )
    return out.getvalue()
