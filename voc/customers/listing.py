"""The customer list: search by name, id or phone; sort by risk, fee, health; paging; a CSV export.

Risk and health are computed (``voc.signals.at_risk``), not stored, so the matching customers are scored in
one pass and sorted here; a CRM of thousands of customers is one query per table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from voc.customers.followup import follow_ups
from voc.customers.phones import normalise_phone
from voc.db.customers import Customer, CustomerPhone, FollowUpState
from voc.signals.at_risk import assess_customers
from voc.signals.params import SignalParams


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


@dataclass(frozen=True)
class CustomerPage:
    items: list[dict[str, Any]]
    total: int


def _matching_pks(session: Session, q: str | None) -> list[int]:
    query = select(Customer.id)
    text = (q or "").strip()
    if text:
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
        query = query.where(or_(*conditions))
    return [pk for pk in session.exec(query).all() if pk is not None]


_SORT_FIELDS = {
    CustomerSort.RISK: "risk_score",
    CustomerSort.FEE: "monthly_fee",
    CustomerSort.HEALTH: "health_score",
    CustomerSort.NAME: "name",
    CustomerSort.CUSTOMER_ID: "customer_id",
}


def _sorted(items: list[dict[str, Any]], sort: CustomerSort, descending: bool) -> list[dict[str, Any]]:
    """By the field, ties by customer id (ascending either way); missing values last in either direction."""
    field = _SORT_FIELDS[sort]
    present = sorted((i for i in items if i[field] is not None), key=lambda i: i["customer_id"])
    present.sort(key=lambda i: i[field], reverse=descending)  # stable: the id order stays within ties
    return present + sorted((i for i in items if i[field] is None), key=lambda i: i["customer_id"])


def list_customers(session: Session, query: CustomerQuery, params: SignalParams) -> CustomerPage:
    pks = _matching_pks(session, query.q)
    assessed = assess_customers(session, pks, params)
    by_id = {c.customer_id: c for c in session.exec(select(Customer).where(col(Customer.id).in_(pks))).all()}
    states = follow_ups(session, pks)
    items = []
    for item in assessed:
        customer = by_id[item["customer_id"]]
        follow = states.get(customer.id or 0)
        if query.flagged_only and (not item["flags"] or customer.status == "churned"):
            continue
        if query.follow_up is not None:
            wanted = None if query.follow_up == FollowUpFilter.NONE else FollowUpState(query.follow_up.value)
            if (follow.state if follow else None) != wanted:
                continue
        item["follow_up"] = follow.as_dict() if follow else None
        item["tenure_months"] = customer.tenure_months
        item["usage_rate"] = customer.usage_rate
        items.append(item)
    items = _sorted(items, query.sort, query.descending)
    total = len(items)
    end = None if query.limit is None else query.offset + query.limit
    return CustomerPage(items=items[query.offset : end], total=total)


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


def customers_csv(items: Sequence[dict[str, Any]]) -> str:
    """The list as Excel reads it: UTF-8 with a BOM, CRLF; flags and the evidence quotes in one cell each."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        follow = item.get("follow_up") or {}
        writer.writerow(
            [
                item["customer_id"],
                item["name"] or "",
                item["plan"] or "",
                "" if item["monthly_fee"] is None else item["monthly_fee"],
                item["risk_score"],
                item["health_score"],
                " ".join(item["flags"]),
                follow.get("state", ""),
                follow.get("by", ""),
                follow.get("at", ""),
                " / ".join(dict.fromkeys(e["text"] for e in item["evidence"])),
            ]
        )
    return out.getvalue()
