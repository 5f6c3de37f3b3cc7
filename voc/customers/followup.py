"""The at-risk list's follow-up state: a customer was contacted, or the case is done — by whom and when."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from voc.db.customers import Customer, CustomerFollowUp, FollowUpState
from voc.db.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FollowUp:
    state: FollowUpState
    by: str
    at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state.value, "by": self.by, "at": self.at.isoformat()}


def set_follow_up(
    session: Session,
    customer: Customer,
    state: FollowUpState | None,
    *,
    by_name: str,
    by_key_id: int | None = None,
) -> FollowUp | None:
    """Record the state (``None`` clears it); the caller commits."""
    assert customer.id is not None
    row = session.get(CustomerFollowUp, customer.id)
    if state is None:
        if row is not None:
            session.delete(row)
        log.info("customer %s: follow-up cleared by %s", customer.customer_id, by_name)
        return None
    if row is None:
        row = CustomerFollowUp(customer_pk=customer.id, state=state, by_name=by_name)
    row.state, row.by_name, row.by_key_id, row.at = state, by_name[:128], by_key_id, utcnow()
    session.add(row)
    session.flush()
    log.info("customer %s: %s by %s", customer.customer_id, state.value, by_name)
    return FollowUp(FollowUpState(row.state), row.by_name, row.at)


def follow_ups(session: Session, customer_pks: Iterable[int] | None = None) -> dict[int, FollowUp]:
    """The current follow-up of each customer that has one."""
    query = select(CustomerFollowUp)
    if customer_pks is not None:
        query = query.where(col(CustomerFollowUp.customer_pk).in_(list(customer_pks)))
    return {
        row.customer_pk: FollowUp(FollowUpState(row.state), row.by_name, row.at)
        for row in session.exec(query).all()
    }
