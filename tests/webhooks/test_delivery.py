"""Webhook deliveries to a real HTTP receiver: signed, retried with backoff, de-duplicable, dead-lettered."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.webhooks.conftest import Receiver
from voc.db.types import utcnow
from voc.db.webhooks import WebhookDelivery
from voc.webhooks.delivery import RetryPolicy, WebhookDispatcher, deliver_due
from voc.webhooks.outbox import enqueue_event, redeliver
from voc.webhooks.signing import verify
from voc.webhooks.subscriptions import create_subscription

EVIDENCE = {
    "call_id": 17,
    "customer_id": "C100",
    "signals": [{"type": "churn_intent", "start": 12.5, "text": "解約を考えています"}],
}


def subscribe(engine: Engine, url: str, events: list[str] | None = None) -> str:
    with Session(engine) as session:
        _, secret = create_subscription(session, url, events or ["call.analyzed"])
        session.commit()
    return secret


def enqueue(engine: Engine, event_type: str = "call.analyzed") -> list[int]:
    with Session(engine) as session:
        ids = enqueue_event(session, event_type, EVIDENCE)
        session.commit()
    return ids


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())  # type: ignore[arg-type]


def test_a_delivery_is_signed_and_verifies(engine: Engine, receiver: Receiver, http: httpx.Client) -> None:
    secret = subscribe(engine, receiver.url)
    assert len(enqueue(engine)) == 1
    assert deliver_due(engine, client=http) == 1
    (got,) = receiver.received
    assert got.headers["voc-event"] == "call.analyzed"
    assert got.headers["voc-signature"].startswith("v1=")
    assert verify(secret, got.headers["voc-timestamp"], got.body, got.headers["voc-signature"])
    assert not verify("whsec_other", got.headers["voc-timestamp"], got.body, got.headers["voc-signature"])
    assert not verify(secret, got.headers["voc-timestamp"], got.body + b" ", got.headers["voc-signature"])
    old = str(int(got.headers["voc-timestamp"]) - 301)
    assert not verify(secret, old, got.body, got.headers["voc-signature"]), "outside the replay window"
    body = json.loads(got.body)
    assert body["data"] == EVIDENCE and body["type"] == "call.analyzed"
    assert body["delivery_id"] == got.headers["voc-delivery-id"]
    (row,) = deliveries(engine)
    assert row.status == "delivered" and row.last_status_code == 200 and row.attempts == 1
    assert deliver_due(engine, client=http) == 0, "delivered once, not again"


def test_only_matching_active_subscriptions_get_the_event(
    engine: Engine, receiver: Receiver, http: httpx.Client
) -> None:
    subscribe(engine, receiver.url, ["customer.flagged"])
    assert enqueue(engine, "call.analyzed") == []
    assert len(enqueue(engine, "customer.flagged")) == 1
    deliver_due(engine, client=http)
    assert [r.headers["voc-event"] for r in receiver.received] == ["customer.flagged"]


def test_a_500_is_retried_later_with_the_same_delivery_id(
    engine: Engine, receiver: Receiver, http: httpx.Client
) -> None:
    secret = subscribe(engine, receiver.url)
    enqueue(engine)
    receiver.plan = [500]
    t0 = utcnow()
    assert deliver_due(engine, client=http, now=t0) == 1
    (row,) = deliveries(engine)
    assert row.status == "pending" and row.last_status_code == 500 and row.attempts == 1
    assert row.next_attempt_at >= t0 + timedelta(seconds=29)
    assert deliver_due(engine, client=http, now=t0 + timedelta(seconds=10)) == 0, "not before the backoff"
    assert deliver_due(engine, client=http, now=t0 + timedelta(seconds=31)) == 1
    first, second = receiver.received
    assert first.headers["voc-delivery-id"] == second.headers["voc-delivery-id"]
    assert json.loads(first.body)["event_id"] == json.loads(second.body)["event_id"]
    assert first.body == second.body
    assert verify(secret, second.headers["voc-timestamp"], second.body, second.headers["voc-signature"])
    (row,) = deliveries(engine)
    assert row.status == "delivered" and row.attempts == 2 and row.last_error is None


def test_two_subscriptions_get_one_event_id_and_their_own_delivery_ids(
    engine: Engine, receiver: Receiver, http: httpx.Client
) -> None:
    subscribe(engine, receiver.url)
    subscribe(engine, receiver.url + "/second")
    assert len(enqueue(engine)) == 2
    deliver_due(engine, client=http)
    a, b = receiver.received
    assert json.loads(a.body)["event_id"] == json.loads(b.body)["event_id"]
    assert a.headers["voc-delivery-id"] != b.headers["voc-delivery-id"]


def _closed_port_url() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    return f"http://127.0.0.1:{port}/hook"


def test_a_dead_endpoint_ends_dead_after_n_attempts(engine: Engine, http: httpx.Client) -> None:
    subscribe(engine, _closed_port_url())
    enqueue(engine)
    policy = RetryPolicy(max_attempts=3, backoff_s=30)
    now = utcnow()
    for attempt in range(1, 4):
        assert deliver_due(engine, client=http, now=now, policy=policy) == 1
        (row,) = deliveries(engine)
        assert row.attempts == attempt and row.last_status_code is None and row.last_error
        now += timedelta(seconds=30 * 2**attempt)
    assert row.status == "dead"
    assert deliver_due(engine, client=http, now=now + timedelta(days=1), policy=policy) == 0
    with Session(engine) as session:
        assert row.id is not None and redeliver(session, row.id)
        session.commit()
    (row,) = deliveries(engine)
    assert row.status == "pending" and row.attempts == 0


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff_s=30, max_backoff_s=600)
    assert [policy.delay(n).total_seconds() for n in (1, 2, 3, 6)] == [30, 60, 120, 600]


def test_an_abandoned_claim_is_taken_over_after_its_lease(
    engine: Engine, receiver: Receiver, http: httpx.Client
) -> None:
    from voc.webhooks.delivery import claim_due

    subscribe(engine, receiver.url)
    enqueue(engine)
    now = utcnow()
    with Session(engine) as session:
        _, ids = claim_due(session, now, max_batch=10, lease_s=60)  # a worker claims, then dies
    assert len(ids) == 1
    assert deliver_due(engine, client=http, now=now + timedelta(seconds=30)) == 0
    assert deliver_due(engine, client=http, now=now + timedelta(seconds=61)) == 1
    assert len(receiver.received) == 1


def test_concurrent_workers_send_each_delivery_once(
    engine: Engine, receiver: Receiver, http: httpx.Client
) -> None:
    subscribe(engine, receiver.url)
    for _ in range(30):
        enqueue(engine)
    barrier = threading.Barrier(4)

    def work() -> None:
        with httpx.Client(timeout=5) as client:
            barrier.wait()
            while deliver_due(engine, client=client, max_batch=3):
                pass

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    ids = [r.headers["voc-delivery-id"] for r in receiver.received]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert {d.status for d in deliveries(engine)} == {"delivered"}


def test_the_dispatcher_runs_in_a_thread_until_stopped(engine: Engine, receiver: Receiver) -> None:
    subscribe(engine, receiver.url)
    dispatcher = WebhookDispatcher(engine, poll_interval_s=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=dispatcher.run, args=(stop,))
    thread.start()
    try:
        enqueue(engine)
        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(5)
        dispatcher.close()
    assert len(receiver.received) == 1
