"""Webhook subscriptions and their outbox: one delivery row per event and subscription.

A delivery's ``delivery_id`` stays the same across retries so that receivers can de-duplicate.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from voc.db.types import EnumText, UTCDateTime, utcnow


class DeliveryStatus(StrEnum):
    """pending → delivering (claimed) → delivered, or back to pending with a later ``next_attempt_at``, or
    dead (every attempt used)."""

    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    DEAD = "dead"


class WebhookEvent(StrEnum):
    """The event types a subscription can ask for (``docs/WEBHOOKS.md``)."""

    CALL_ANALYZED = "call.analyzed"
    CUSTOMER_FLAGGED = "customer.flagged"
    CUSTOMER_FLAG_CLEARED = "customer.flag_cleared"


DELIVERY_STATUSES = tuple(DeliveryStatus)


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscriptions"

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2048)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The HMAC key must be readable to sign; it is shown once and never returned by the API again.
    secret: str = Field(max_length=128)
    description: str | None = Field(default=None, max_length=256)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="webhook_subscriptions.id", index=True, ondelete="CASCADE")
    event_id: str = Field(index=True, max_length=36)
    delivery_id: str = Field(unique=True, max_length=36)
    event_type: str = Field(max_length=64)
    # Indexed references so that erasure can find every delivery about a customer or a call.
    call_id: int | None = Field(default=None, index=True)
    customer_ref: str | None = Field(default=None, index=True, max_length=128)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: DeliveryStatus = Field(
        default=DeliveryStatus.PENDING, index=True, sa_type=EnumText(DeliveryStatus, 16)
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    lease_token: str | None = Field(default=None, max_length=36)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
