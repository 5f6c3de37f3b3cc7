"""Webhook subscriptions (admin) and their delivery log. Deliveries are sent by the workers, never here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.auth import allow
from api.deps import SessionDep
from api.pagination import Page, decode_cursor, encode_cursor
from api.problems import Problem
from api.routes.errors import COMMON, MAX_DB_INT, problems
from voc.audit.log import record
from voc.db.webhooks import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from voc.security.keys import Principal
from voc.webhooks.outbox import redeliver
from voc.webhooks.subscriptions import (
    create_subscription,
    delete_subscription,
    deliveries_of,
    list_subscriptions,
    update_subscription,
)

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=COMMON)


class WebhookCreate(BaseModel):
    url: str = Field(max_length=2048, description="http(s) URL that receives POSTed JSON.")
    events: list[WebhookEvent] = Field(min_length=1)
    description: str | None = Field(default=None, max_length=256)


class WebhookUpdate(BaseModel):
    url: str | None = Field(default=None, max_length=2048)
    events: list[WebhookEvent] | None = Field(default=None, min_length=1)
    active: bool | None = None
    description: str | None = Field(default=None, max_length=256)


class WebhookPublic(BaseModel):
    id: int
    url: str
    events: list[str]
    description: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="The HMAC-SHA256 signing secret. Shown only now (docs/WEBHOOKS.md).")


class DeliveryPublic(BaseModel):
    id: int
    delivery_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


WEBHOOK_EXAMPLES: dict[str, Any] = {
    "crm": {
        "summary": "A CRM that wants churn flags and analysed calls",
        "value": {
            "url": "https://crm.example.co.jp/hooks/voc",
            "events": ["call.analyzed", "customer.flagged", "customer.flag_cleared"],
            "description": "Salesforce 連携",
        },
    }
}


def _public(sub: WebhookSubscription) -> WebhookPublic:
    return WebhookPublic.model_validate(sub, from_attributes=True)


def _get(session: SessionDep, webhook_id: int) -> WebhookSubscription:
    sub = session.get(WebhookSubscription, webhook_id)
    if sub is None:
        raise Problem(404, f"Webhook が見つかりません: {webhook_id}")
    return sub


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.get(
    "",
    response_model=list[WebhookPublic],
    summary="List webhook subscriptions",
    dependencies=[allow("webhooks.manage")],
)
def get_webhooks(session: SessionDep) -> list[WebhookPublic]:
    return [_public(s) for s in list_subscriptions(session)]


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    summary="Subscribe a URL to event types; the signing secret is returned once",
)
def post_webhook(
    body: Annotated[WebhookCreate, Body(openapi_examples=WEBHOOK_EXAMPLES)],
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("webhooks.manage")],
) -> WebhookCreated:
    sub, secret = create_subscription(session, body.url, body.events, description=body.description)
    record(session, "webhook.create", "webhook", sub.id, actor=principal, ip=_ip(request))
    session.commit()
    return WebhookCreated(**_public(sub).model_dump(), secret=secret)


@router.get(
    "/{webhook_id}",
    response_model=WebhookPublic,
    summary="One subscription",
    dependencies=[allow("webhooks.manage")],
    responses=problems(404),
)
def get_webhook(webhook_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)], session: SessionDep) -> WebhookPublic:
    return _public(_get(session, webhook_id))


@router.patch(
    "/{webhook_id}",
    response_model=WebhookPublic,
    summary="Change the URL, the event types, or pause (active: false)",
    responses=problems(404),
)
def patch_webhook(
    webhook_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    body: WebhookUpdate,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("webhooks.manage")],
) -> WebhookPublic:
    sub = _get(session, webhook_id)
    update_subscription(
        session, sub, url=body.url, events=body.events, active=body.active, description=body.description
    )
    record(session, "webhook.update", "webhook", webhook_id, actor=principal, ip=_ip(request))
    session.commit()
    return _public(sub)


@router.delete(
    "/{webhook_id}",
    status_code=204,
    summary="Delete a subscription and its delivery log",
    responses=problems(404),
)
def delete_webhook(
    webhook_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("webhooks.manage")],
) -> Response:
    delete_subscription(session, _get(session, webhook_id))
    record(session, "webhook.delete", "webhook", webhook_id, actor=principal, ip=_ip(request))
    session.commit()
    return Response(status_code=204)


def _delivery(d: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic.model_validate(d, from_attributes=True)


@router.get(
    "/{webhook_id}/deliveries",
    response_model=Page[DeliveryPublic],
    summary="The delivery log, newest first: status code, error, attempts, next attempt",
    dependencies=[allow("webhooks.manage")],
    responses=problems(404),
)
def get_deliveries(
    webhook_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    session: SessionDep,
    status: DeliveryStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[DeliveryPublic]:
    _get(session, webhook_id)
    after = decode_cursor(cursor)
    before_id = after.get("id") if after else None
    if after is not None and (not isinstance(before_id, int) or isinstance(before_id, bool)):
        raise Problem(422, "cursor が正しくありません (invalid cursor)")
    rows = deliveries_of(session, webhook_id, status=status, before_id=before_id, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Page[DeliveryPublic](
        items=[_delivery(d) for d in rows],
        next_cursor=encode_cursor({"id": rows[-1].id}) if more and rows else None,
    )


@router.post(
    "/{webhook_id}/deliveries/{delivery_pk}/retry",
    response_model=DeliveryPublic,
    summary="Send a dead or delivered delivery again (same delivery id)",
    dependencies=[allow("webhooks.manage")],
    responses=problems(404, 409),
)
def retry_delivery(
    webhook_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    delivery_pk: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    session: SessionDep,
) -> DeliveryPublic:
    delivery = session.get(WebhookDelivery, delivery_pk)
    if delivery is None or delivery.subscription_id != webhook_id:
        raise Problem(404, f"配信が見つかりません: {delivery_pk}")
    if not redeliver(session, delivery_pk):
        raise Problem(409, "送信待ちまたは送信中の配信です (delivery is still pending)")
    session.commit()
    session.refresh(delivery)
    return _delivery(delivery)
