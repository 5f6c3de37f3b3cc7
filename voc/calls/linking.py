"""Linking a call to a customer: explicit customer id first, else the caller's number (E.164)."""

from __future__ import annotations

from sqlmodel import Session, select

from voc.db.calls import Call
from voc.db.customers import Customer, CustomerPhone
from voc.errors import NotFoundError


class UnknownCustomerError(NotFoundError):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"顧客が見つかりません: {customer_id}")
        self.customer_id = customer_id


def find_customer_pk(session: Session, customer_id: str | None, caller_e164: str | None) -> int | None:
    """The customer a call belongs to, or ``None`` when it cannot be told (listed for manual linking)."""
    if customer_id:
        pk = session.exec(select(Customer.id).where(Customer.customer_id == customer_id)).first()
        if pk is None:
            raise UnknownCustomerError(customer_id)
        return pk
    if caller_e164:
        owners = session.exec(
            select(CustomerPhone.customer_pk).where(CustomerPhone.e164 == caller_e164).distinct()
        ).all()
        if len(owners) == 1:  # a number shared by two customers is ambiguous: leave it for a person
            return owners[0]
    return None


def relink_unmatched(session: Session) -> list[int]:
    """Link calls that had no customer when they arrived; returns the ids of calls now linked."""
    linked = []
    calls = session.exec(
        select(Call).where(Call.customer_pk == None, Call.caller_number != None)  # noqa: E711
    ).all()
    for call in calls:
        pk = find_customer_pk(session, None, call.caller_number)
        if pk is not None:
            call.customer_pk = pk
            session.add(call)
            assert call.id is not None
            linked.append(call.id)
    return linked
