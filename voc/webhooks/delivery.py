"""Sending due deliveries: claim (safe with many workers), POST signed JSON, record, back off, dead-letter.

Claims work like the call jobs (voc.pipeline.jobs): ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, and on
SQLite an update whose WHERE clause repeats the claim condition. A claim is a lease: a worker that dies
mid-send leaves the delivery to be taken over when the lease expires (receivers de-duplicate on
``Voc-Delivery-Id``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.db.types import utcnow
from voc.db.webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription
from voc.webhooks.signing import sign

log = logging.getLogger(__name__)

USER_AGENT = "voc-webhooks/1"


@dataclass(frozen=True)
class RetryPolicy:
    """Attempt n (1-based) failing waits ``backoff_s × 2^(n-1)``, at most ``max_backoff_s``; dead after
    ``max_attempts``. The defaults retry for about a day."""

    max_attempts: int = 10
    backoff_s: float = 30.0
    max_backoff_s: float = 6 * 3600.0
    lease_s: float = 60.0
    timeout_s: float = 10.0

    def delay(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_s * 2 ** max(0, attempt - 1), self.max_backoff_s))


def _claimable(now: datetime) -> ColumnElement[bool]:
    due = and_(
        col(WebhookDelivery.status) == DeliveryStatus.PENDING, col(WebhookDelivery.next_attempt_at) <= now
    )
    abandoned = and_(
        col(WebhookDelivery.status) == DeliveryStatus.DELIVERING, col(WebhookDelivery.lease_expires_at) < now
    )
    return or_(due, abandoned)


def claim_due(session: Session, now: datetime, *, max_batch: int, lease_s: float) -> tuple[str, list[int]]:
    """Claim up to ``max_batch`` due deliveries of active subscriptions; returns the lease token and ids.

    Commits: the claim must be visible to every other sender when it returns (see ``voc.db``)."""
    active = select(WebhookSubscription.id).where(col(WebhookSubscription.active).is_(True))
    query = (
        select(WebhookDelivery.id)
        .where(_claimable(now), col(WebhookDelivery.subscription_id).in_(active))
        .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
        .limit(max_batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDelivery)
    ids = [i for i in session.exec(query).all() if i is not None]
    token = str(uuid.uuid4())
    if not ids:
        session.commit()
        return token, []
    # Repeating the claim condition makes the update a compare-and-set where nothing is locked (SQLite).
    session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id).in_(ids), _claimable(now))
        .values(
            status=DeliveryStatus.DELIVERING,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=lease_s),
            attempts=WebhookDelivery.attempts + 1,
            updated_at=now,
        )
    )
    session.commit()
    claimed = session.exec(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.lease_token == token)
        .order_by(col(WebhookDelivery.id))
    ).all()
    return token, [i for i in claimed if i is not None]


def event_body(delivery: WebhookDelivery) -> bytes:
    """The JSON body: the same bytes on every attempt (only the timestamp and signature headers change)."""
    envelope: dict[str, Any] = {
        "event_id": delivery.event_id,
        "delivery_id": delivery.delivery_id,
        "type": delivery.event_type,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _send(
    client: httpx.Client, sub: WebhookSubscription, delivery: WebhookDelivery, timeout_s: float
) -> tuple[int | None, str | None]:
    body = event_body(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Voc-Event": delivery.event_type,
        "Voc-Event-Id": delivery.event_id,
        "Voc-Delivery-Id": delivery.delivery_id,
        "Voc-Timestamp": str(timestamp),
        "Voc-Signature": sign(sub.secret, timestamp, body),
    }
    try:
        response = client.post(sub.url, content=body, headers=headers, timeout=timeout_s)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def _record(
    session: Session,
    delivery: WebhookDelivery,
    token: str,
    status_code: int | None,
    error: str | None,
    now: datetime,
    policy: RetryPolicy,
) -> str:
    if error is None:
        values: dict[str, Any] = {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    elif delivery.attempts >= policy.max_attempts:
        values = {"status": DeliveryStatus.DEAD}
    else:
        values = {"status": DeliveryStatus.PENDING, "next_attempt_at": now + policy.delay(delivery.attempts)}
    values |= {
        "last_status_code": status_code,
        "last_error": error,
        "lease_token": None,
        "lease_expires_at": None,
        "updated_at": now,
    }
    result = session.execute(
        update(WebhookDelivery)
        .where(col(WebhookDelivery.id) == delivery.id, col(WebhookDelivery.lease_token) == token)
        .values(**values)
    )
    session.commit()
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("delivery %s: lease lost, its new owner records the result", delivery.delivery_id)
    elif values["status"] == DeliveryStatus.DEAD:
        log.warning("delivery %s dead after %d attempts: %s", delivery.delivery_id, delivery.attempts, error)
    return str(values["status"])


def deliver_due(
    engine: Engine,
    *,
    client: httpx.Client,
    now: datetime | None = None,
    max_batch: int = 20,
    policy: RetryPolicy | None = None,
) -> int:
    """Send the deliveries that are due at ``now`` (default: the current time); returns how many were tried.

    ``now`` schedules retries and lets tests move the clock; the signed timestamp is always the real time.
    """
    policy = policy or RetryPolicy()
    at = now or utcnow()
    with Session(engine, expire_on_commit=False) as session:
        token, ids = claim_due(session, at, max_batch=max_batch, lease_s=policy.lease_s)
        for delivery_pk in ids:
            delivery = session.get(WebhookDelivery, delivery_pk)
            sub = session.get(WebhookSubscription, delivery.subscription_id) if delivery else None
            if delivery is None or sub is None:
                continue
            session.commit()  # end the read transaction: no lock is held while the receiver answers
            status_code, error = _send(client, sub, delivery, policy.timeout_s)
            _record(session, delivery, token, status_code, error, now or utcnow(), policy)
    return len(ids)


class WebhookDispatcher:
    """What a worker runs: ``poll()`` once per loop, or ``run(stop)`` in a thread of its own."""

    def __init__(
        self,
        engine: Engine,
        *,
        client: httpx.Client | None = None,
        policy: RetryPolicy | None = None,
        max_batch: int = 20,
        poll_interval_s: float = 1.0,
    ) -> None:
        self.engine = engine
        self.policy = policy or RetryPolicy()
        self.client = client or httpx.Client(follow_redirects=False, timeout=self.policy.timeout_s)
        self._owns_client = client is None
        self.max_batch = max_batch
        self.poll_interval_s = poll_interval_s

    def poll(self, now: datetime | None = None) -> int:
        """Send one batch of due deliveries; never raises (a failing poll is logged and retried)."""
        try:
            return deliver_due(
                self.engine, client=self.client, now=now, max_batch=self.max_batch, policy=self.policy
            )
        except Exception:
            log.exception("webhook dispatch failed; retrying on the next poll")
            return 0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            if self.poll() < self.max_batch:
                stop.wait(self.poll_interval_s)

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
