"""The outbox: events are written as delivery rows in the caller's transaction, sent later by workers.

So an event exists exactly when the change it reports was committed, and no request ever waits on a
receiver.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select, update

from voc.db.types import utcnow
from voc.db.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from voc.webhooks.subscriptions import EVENT_TYPES

log = logging.getLogger(__name__)


#: Event ids derived from an event key are stable, so the same event enqueued twice is sent once.
EVENT_NAMESPACE = uuid.UUID("6f1c6a0e-3a53-4c55-9d8e-5b0f7c1d2e90")


def event_id_for(event_key: str) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, event_key))


def enqueue_event(
    session: Session,
    event_type: str,
    payload: dict[str, Any],
    *,
    event_key: str | None = None,
    occurred_at: datetime | None = None,
) -> list[int]:
    """One delivery row per active subscription to ``event_type``; returns their ids (not committed).

    ``payload`` is the event's ``data`` (ids and evidence). When it has ``call_id`` / ``customer_id``
    they are indexed so that erasing a customer also erases what was queued about them.
    ``event_key`` names the event for de-duplication: a stage that runs again after a crash enqueues
    nothing new. Subscriptions created after ``occurred_at`` do not receive the event.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r} (one of {', '.join(EVENT_TYPES)})")
    subs = session.exec(select(WebhookSubscription).where(col(WebhookSubscription.active).is_(True))).all()
    targets = [
        s for s in subs if event_type in s.events and (occurred_at is None or s.created_at <= occurred_at)
    ]
    if not targets:
        return []
    event_id = event_id_for(event_key) if event_key else str(uuid.uuid4())
    if (
        event_key
        and session.exec(select(WebhookDelivery.id).where(WebhookDelivery.event_id == event_id)).first()
    ):
        return []
    call_id = payload.get("call_id")
    customer_ref = payload.get("customer_id")
    now = utcnow()
    rows = []
    for sub in targets:
        assert sub.id is not None
        row = WebhookDelivery(
            subscription_id=sub.id,
            event_id=event_id,
            delivery_id=str(uuid.uuid4()),
            event_type=event_type,
            call_id=call_id if isinstance(call_id, int) else None,
            customer_ref=str(customer_ref)[:128] if customer_ref is not None else None,
            payload=payload,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        rows.append(row)
    session.flush()
    log.info("event %s (%s) queued for %d subscription(s)", event_id, event_type, len(rows))
    return [r.id for r in rows if r.id is not None]


def redeliver(session: Session, delivery_pk: int) -> bool:
    """Send a dead (or delivered) delivery again, with the same delivery id, from attempt one."""
    result = session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_pk,
            col(WebhookDelivery.status).in_((DeliveryStatus.DEAD, DeliveryStatus.DELIVERED)),
        )
        .values(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            lease_token=None,
            updated_at=utcnow(),
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
