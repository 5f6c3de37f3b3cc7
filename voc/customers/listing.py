"""The customer list: search by name, id or phone; sort by risk, fee, health; paging; a CSV export.

Risk and health are read from ``customer_risk`` (``voc.signals.risk``, kept up to date when flags are
recomputed), so a page is one query over the columns the list shows, sorted and cut by the database,
plus a count.
"""

from __future__ import annotations

import csv
import functools
import io
import threading
from collections import OrderedDict
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
from voc.db.engine import autocommits
from voc.db.risk import CustomerRisk
from voc.signals.at_risk import backfill, base_state
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


@dataclass(frozen=True)
class _Shape:
    """What decides a list query's statements; the values (search text, page) are bound per request."""

    search: str | None  # None, "text", "phone" (a whole number) or "digits" (part of one)
    sort: CustomerSort
    descending: bool
    flagged_only: bool
    follow_up: FollowUpFilter | None
    limited: bool
    postgres: bool


def _search_values(q: str | None) -> dict[str, str]:
    """The bound values of a search: the LIKE pattern, and a phone number or its digits."""
    text = (q or "").strip()
    if not text:
        return {}
    values = {"like": f"%{text.lower()}%"}
    phone = normalise_phone(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if phone is not None:
        values["phone"] = phone
    elif len(digits) >= 4:  # part of a number: 5678-9012 finds 03-5678-9012
        values["digits"] = digits
    return values


def _search_kind(values: dict[str, str]) -> str | None:
    if not values:
        return None
    return "phone" if "phone" in values else "digits" if "digits" in values else "text"


def _search(kind: str | None) -> ColumnElement[bool] | None:
    if kind is None:
        return None
    like = sa.bindparam("like", type_=sa.String)
    conditions = [func.lower(col(Customer.customer_id)).like(like), func.lower(col(Customer.name)).like(like)]
    phone_pks = select(CustomerPhone.customer_pk)
    if kind == "phone":
        conditions.append(col(Customer.id).in_(phone_pks.where(CustomerPhone.e164 == sa.bindparam("phone"))))
    elif kind == "digits":
        found = phone_pks.where(col(CustomerPhone.e164).contains(sa.bindparam("digits", type_=sa.String)))
        conditions.append(col(Customer.id).in_(found))
    return or_(*conditions)


def _filters(shape: _Shape) -> list[ColumnElement[bool]]:
    out = []
    if (search := _search(shape.search)) is not None:
        out.append(search)
    if shape.flagged_only:
        out.append(col(CustomerRisk.listed) == True)  # noqa: E712
    if shape.follow_up == FollowUpFilter.NONE:
        out.append(col(CustomerFollowUp.customer_pk).is_(None))
    elif shape.follow_up is not None:
        out.append(col(CustomerFollowUp.state) == FollowUpState(shape.follow_up.value))
    return out


def _order(sort: CustomerSort, descending: bool, postgres: bool) -> list[Any]:
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
    if sort == CustomerSort.NAME and postgres:
        field = field.collate("C")
    by = [field.desc() if descending else field.asc(), tie.asc()]
    return [field.is_(None), *by] if nullable else by


def _count(shape: _Shape) -> Any:
    """The count of matches over the tables its filters read, not the join a page needs: every customer
    has a risk row, so the plain list is a count of ``customers``, the flagged one an index range."""
    if shape.flagged_only:
        count = select(func.count()).select_from(CustomerRisk)
        if shape.search is not None:
            count = count.join(Customer, col(Customer.id) == col(CustomerRisk.customer_pk))
        key: Any = col(CustomerRisk.customer_pk)
    else:
        count = select(func.count()).select_from(Customer)
        key = col(Customer.id)
    if shape.follow_up is not None:
        count = count.outerjoin(CustomerFollowUp, col(CustomerFollowUp.customer_pk) == key)
    return count.where(*_filters(shape))


#: The columns a line of the list shows (``_item``'s arguments, in order).
SHOWN: tuple[Any, ...] = (
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
)


class TotalCache:
    """How many customers there are, by database, customer-base token and newest id (the few lately
    seen): the unfiltered list's total was a count of every customer on every page (on PostgreSQL a
    sequential scan, 1.5–3 ms of the server's CPU at 20 k customers). Every write to customers replaces
    the token in its transaction, and the token is read before the count: a write committed meanwhile
    can only make an entry newer than its key, never older."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str, int | None], int] = OrderedDict()

    def get(self, key: tuple[str, str, int | None]) -> int | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple[str, str, int | None], total: int) -> None:
        with self._lock:
            self._entries[key] = total
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


#: This process's totals (``list_customers``).
TOTALS = TotalCache()


@functools.lru_cache(maxsize=256)
def _statements(shape: _Shape) -> tuple[Any, Any]:
    """The count and the page of one shape, built once per process (building a statement cost more CPU
    than the database spent running it); the few shapes the UI asks for stay cached."""
    page = (
        sa.select(*SHOWN)  # sqlmodel's select() types at most four columns
        .join(CustomerRisk, col(CustomerRisk.customer_pk) == col(Customer.id))
        .outerjoin(CustomerFollowUp, col(CustomerFollowUp.customer_pk) == col(Customer.id))
        .where(*_filters(shape))
        .order_by(*_order(shape.sort, shape.descending, shape.postgres))
        .offset(sa.bindparam("offset", type_=sa.Integer))
    )
    if shape.limited:
        page = page.limit(sa.bindparam("limit", type_=sa.Integer))
    return _count(shape), page


def list_customers(session: Session, query: CustomerQuery, params: SignalParams) -> CustomerPage:
    state = base_state(session)
    if not state.rows_complete:
        _backfill(session, params)
    values: dict[str, Any] = _search_values(query.q)
    shape = _Shape(
        search=_search_kind(values),
        sort=query.sort,
        descending=query.descending,
        flagged_only=query.flagged_only,
        follow_up=query.follow_up,
        limited=query.limit is not None,
        postgres=session.get_bind().dialect.name == "postgresql",
    )
    count, page = _statements(shape)
    # Plain rows on the session's connection: no ORM loading of what are columns, not entities.
    connection = session.connection()
    every = shape.search is None and not shape.flagged_only and shape.follow_up is None
    key = (str(connection.engine.url), state.token, state.newest) if every and state.token else None
    total = TOTALS.get(key) if key else None
    if total is None:
        total = int(connection.execute(count, values).scalar_one())
        if key:
            TOTALS.put(key, total)
    values |= {"offset": query.offset, "limit": query.limit}
    items = [_item(*row) for row in connection.execute(page, values).all()]
    return CustomerPage(items=items, total=total)


def _backfill(session: Session, params: SignalParams) -> None:
    """Customers written without a refresh (rare): scored before the page is read. In a read without a
    transaction (``voc.db.engine.reads_engine``) in one of its own, committed: all rows or none, and
    each statement of the page sees them; else in the caller's transaction, as it decides."""
    if not autocommits(session.connection()):
        backfill(session, params)
        return
    bind = session.get_bind()
    with Session(bind.execution_options(isolation_level="READ COMMITTED")) as writer:
        backfill(writer, params)
        writer.commit()


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
