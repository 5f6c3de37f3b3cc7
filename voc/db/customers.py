"""Customer records from the CRM and their phone numbers, and the token that changes with the base."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, Column, Connection, String, event, insert, update
from sqlalchemy.orm import Mapper
from sqlmodel import Field, SQLModel

from voc.db.types import EnumText, UTCDateTime, utcnow


class CustomerStatus(StrEnum):
    """The customer's standing in the CRM."""

    ACTIVE = "active"
    CHURNED = "churned"


CUSTOMER_STATUSES = tuple(CustomerStatus)


class CustomerBase(SQLModel):
    customer_id: str = Field(index=True, unique=True, max_length=128, description="The CRM's own id.")
    name: str | None = Field(default=None, max_length=256)
    plan: str | None = Field(default=None, max_length=128)
    monthly_fee: float | None = Field(default=None, ge=0)
    usage_rate: float | None = Field(default=None, ge=0, description="0–1 share of active days, or a metric.")
    tenure_months: int | None = Field(default=None, ge=0, le=1200)
    status: CustomerStatus = Field(
        default=CustomerStatus.ACTIVE, sa_type=EnumText(CustomerStatus, 16), description="active | churned"
    )
    churned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Customer(CustomerBase, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    attributes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class CustomerCreate(CustomerBase):
    phones: list[str] = Field(default_factory=list, description="One or more numbers, any written form.")
    attributes: dict[str, Any] = Field(default_factory=dict, description="Any extra CRM columns.")

    @model_validator(mode="after")
    def _no_nul_characters(self) -> Self:
        # PostgreSQL stores no NUL in text, nor reads one out of JSON: such a record is refused whole,
        # on every backend, rather than stored here and failing later on a read.
        fields = (self.customer_id, self.name, self.plan, self.phones, self.attributes)
        if any(_has_nul(v) for v in fields):
            raise ValueError("a CRM record may not contain NUL characters (\\x00)")
        return self

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: object) -> object:
        # Before the enum's own check, so that a CRM export's bad value is named as before.
        if value not in CUSTOMER_STATUSES:
            raise ValueError(f"status must be one of {', '.join(CUSTOMER_STATUSES)}")
        return value


class CustomerPublic(CustomerBase):
    phones: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class CustomerPhone(SQLModel, table=True):
    __tablename__ = "customer_phones"

    id: int | None = Field(default=None, primary_key=True)
    customer_pk: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    e164: str = Field(index=True, max_length=32)
    raw: str = Field(max_length=64)


class FollowUpState(StrEnum):
    """Where customer success stands with a customer on the at-risk list."""

    CONTACTED = "contacted"
    DONE = "done"


class CustomerFollowUp(SQLModel, table=True):
    """The current follow-up of a customer (one row each): what, who (the API key's name) and when."""

    __tablename__ = "customer_follow_ups"

    customer_pk: int = Field(foreign_key="customers.id", primary_key=True, ondelete="CASCADE")
    state: FollowUpState = Field(sa_type=String(16))
    by_key_id: int | None = Field(default=None)
    by_name: str = Field(max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerBaseToken(SQLModel, table=True):
    """One row: a token that every write to ``customers`` replaces, in the same transaction.

    The scores of one customer are relative to the whole base (usage ranks, the median value); a process
    keeps that population computed, by this token (``voc.signals.flags.population``), instead of
    reading every customer for each analysed call. A random token, not a counter: a database dropped
    and created again cannot come back to a token a process has seen."""

    __tablename__ = "customer_base"

    id: int = Field(default=1, primary_key=True)
    token: str = Field(max_length=32)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def customers_changed(connection: Connection) -> None:
    """A new token: the customers changed (call it in the transaction that changed them). Writes with
    Core statements call it themselves; the ORM's inserts, updates and deletes of customers do below."""
    table = CustomerBaseToken.__table__  # type: ignore[attr-defined]
    values = {"token": uuid.uuid4().hex, "changed_at": utcnow()}
    if connection.execute(update(table).where(table.c.id == 1).values(values)).rowcount == 0:
        connection.execute(insert(table).values(id=1, **values))


def _on_customer_write(_mapper: Mapper[Any], connection: Connection, _target: Customer) -> None:
    customers_changed(connection)


for _event in ("after_insert", "after_update", "after_delete"):
    event.listen(Customer, _event, _on_customer_write)
