"""Managing subscriptions (API and CLI): the secret is returned once, at creation."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete, select

from voc.db.types import utcnow
from voc.db.webhooks import WebhookDelivery, WebhookEvent, WebhookSubscription
from voc.errors import InvalidInputError
from voc.webhooks.signing import new_secret

log = logging.getLogger(__name__)

EVENT_TYPES = tuple(WebhookEvent)


class SubscriptionError(InvalidInputError):
    """A webhook URL or event list that cannot be subscribed."""


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SubscriptionError(f"URL は http:// か https:// で始めてください: {url!r}")
    if len(url) > 2048:
        raise SubscriptionError("URL が長すぎます (2048 文字まで)")
    return url


def check_events(events: Sequence[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown or not events:
        raise SubscriptionError(
            f"イベント種別が正しくありません: {', '.join(unknown) or '(none)'}"
            f" (one of {', '.join(EVENT_TYPES)})"
        )
    return sorted(set(events))


def create_subscription(
    session: Session, url: str, events: Sequence[str], *, description: str | None = None
) -> tuple[WebhookSubscription, str]:
    """A new subscription and its signing secret (show it once)."""
    secret = new_secret()
    sub = WebhookSubscription(
        url=check_url(url), events=check_events(events), secret=secret, description=description
    )
    session.add(sub)
    session.flush()
    log.info("webhook subscription %s created for %s", sub.id, ", ".join(sub.events))
    return sub, secret


def update_subscription(
    session: Session,
    sub: WebhookSubscription,
    *,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
    description: str | None = None,
) -> WebhookSubscription:
    if url is not None:
        sub.url = check_url(url)
    if events is not None:
        sub.events = check_events(events)
    if active is not None:
        sub.active = active
    if description is not None:
        sub.description = description
    sub.updated_at = utcnow()
    session.add(sub)
    session.flush()
    return sub


def list_subscriptions(session: Session) -> list[WebhookSubscription]:
    return list(session.exec(select(WebhookSubscription).order_by(col(WebhookSubscription.id))).all())


def delete_subscription(session: Session, sub: WebhookSubscription) -> None:
    """The subscription and its delivery log go together."""
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.subscription_id) == sub.id))
    session.delete(sub)
    session.flush()


def deliveries_of(
    session: Session,
    subscription_id: int,
    *,
    status: str | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[WebhookDelivery]:
    """The delivery log, newest first."""
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription_id)
        .order_by(col(WebhookDelivery.id).desc())
    )
    if status:
        query = query.where(WebhookDelivery.status == status)
    if before_id is not None:
        query = query.where(col(WebhookDelivery.id) < before_id)
    return list(session.exec(query.limit(limit)).all())
