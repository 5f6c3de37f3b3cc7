"""Events from stored state: one `call.analyzed` per analysis (a crashed stage re-run sends nothing twice),
flag transitions relayed once each, and a subscription only hears what happened after it existed."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.webhooks.conftest import Receiver
from voc.db.calls import Call, CallStatus, CallStatusEvent
from voc.db.customers import Customer
from voc.db.signals import CustomerFlagEvent, FlagEvent, FlagType
from voc.db.types import utcnow
from voc.db.webhooks import WebhookDelivery
from voc.webhooks.delivery import deliver_due
from voc.webhooks.events import enqueue_call_analyzed, relay_flag_events
from voc.webhooks.subscriptions import create_subscription


def _deliveries(engine: Engine) -> list[WebhookDelivery]:
    with Session(engine) as session:
        return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all())


def test_call_analyzed_is_sent_once_per_analysis(engine: Engine, receiver: Receiver) -> None:
    with Session(engine) as session:
        create_subscription(session, url=receiver.url, events=["call.analyzed"])
        call = Call(audio_sha256="e" * 64, external_id="EV-1", status=CallStatus.DONE, duration_s=12.0)
        session.add(call)
        session.commit()
        assert call.id is not None
        enqueue_call_analyzed(session, call.id)
        enqueue_call_analyzed(session, call.id)  # the stage ran again after a crash
        session.commit()
        assert len(_deliveries(engine)) == 1
        session.add(CallStatusEvent(call_id=call.id, status=CallStatus.QUEUED, detail="replayed"))
        session.commit()
        enqueue_call_analyzed(session, call.id)  # an analyst replayed the call: a new event
        session.commit()
    deliveries = _deliveries(engine)
    assert len(deliveries) == 2 and deliveries[0].event_id != deliveries[1].event_id
    with httpx.Client() as client:
        assert deliver_due(engine, client=client) == 2
    assert len(receiver.received) == 2
    assert b'"external_id":"EV-1"' in receiver.received[0].body.replace(b" ", b"")


def test_flag_transitions_are_relayed_once_each(engine: Engine, receiver: Receiver) -> None:
    with Session(engine) as session:
        customer = Customer(customer_id="C9", name="テスト")
        session.add(customer)
        session.flush()
        assert customer.id is not None
        old = CustomerFlagEvent(
            customer_pk=customer.id,
            flag=FlagType.CHURN_RISK,
            event=FlagEvent.RAISED,
            at=utcnow() - timedelta(days=1),
        )
        session.add(old)
        session.commit()
        create_subscription(session, url=receiver.url, events=["customer.flagged", "customer.flag_cleared"])
        session.add(
            CustomerFlagEvent(
                customer_pk=customer.id,
                flag=FlagType.COST_PERFORMANCE_GAP,
                event=FlagEvent.RAISED,
                evidence=[{"type": "value_complaint", "text": "高すぎる"}],
            )
        )
        session.add(
            CustomerFlagEvent(customer_pk=customer.id, flag=FlagType.CHURN_RISK, event=FlagEvent.CLEARED)
        )
        session.commit()
        cursor = relay_flag_events(session, 0)
        session.commit()
        assert relay_flag_events(session, 0) == cursor  # a restarted worker rescans: nothing new
        session.commit()
    deliveries = _deliveries(engine)
    assert [d.event_type for d in deliveries] == ["customer.flagged", "customer.flag_cleared"]
    assert deliveries[0].payload["flag"] == "cost_performance_gap"
    assert deliveries[0].customer_ref == "C9"
