"""Linking a call to a customer: explicit customer id first, else the caller's number (E.164)."""

from __future__ import annotations

from sqlalchemy import Table, bindparam, update
from sqlmodel import Session, col, select

from voc.db.batches import chunks, expire_loaded, literal_in
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
    """Link calls that had no customer when they arrived, by the caller's number when exactly one
    customer has it (as :func:`find_customer_pk`); returns the ids of calls now linked. A few statements
    however many calls wait (a CRM import can link thousands)."""
    session.flush()  # calls added in this session are waiting too
    waiting = session.exec(
        select(Call.id, Call.caller_number)
        .where(col(Call.customer_pk).is_(None), col(Call.caller_number).is_not(None))
        .order_by(col(Call.id))
    ).all()
    owners: dict[str, set[int]] = {}
    for chunk in chunks(sorted({number for _, number in waiting if number})):
        found = session.exec(
            select(CustomerPhone.e164, CustomerPhone.customer_pk)
            .where(col(CustomerPhone.e164).in_(literal_in(chunk)))
            .distinct()
        )
        for number, pk in found:
            owners.setdefault(number, set()).add(pk)
    links = [
        {"call": call_id, "owner": min(owners[number])}
        for call_id, number in waiting
        if call_id is not None and number and len(owners.get(number, ())) == 1
    ]
    if links:
        calls: Table = Call.__table__  # type: ignore[attr-defined]
        session.execute(
            update(calls).where(calls.c.id == bindparam("call")).values(customer_pk=bindparam("owner")),
            links,
        )
        expire_loaded(session, Call, {link["call"] for link in links})
    return [link["call"] for link in links]
