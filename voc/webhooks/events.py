"""The events CRM systems subscribe to, built from stored state and enqueued idempotently.

``call.analyzed`` is keyed by the call and how often it was replayed, so a stage that runs again after
a crash sends nothing twice; ``customer.flagged`` / ``customer.flag_cleared`` are relayed from the
flag history (``customer_flag_events``), keyed by its row id, wherever the change happened (pipeline,
CRM import, linking).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from voc.calls.queries import customer_ref
from voc.db.calls import Call, CallStatusEvent
from voc.db.signals import CustomerFlagEvent
from voc.db.webhooks import WebhookEvent
from voc.signals.flags import flag_events
from voc.signals.store import signals_for_call
from voc.webhooks.outbox import enqueue_event

log = logging.getLogger(__name__)

EVIDENCE_FIELDS = ("type", "score", "speaker", "start", "end", "text", "segment", "source")


def call_analyzed_payload(session: Session, call: Call) -> dict[str, Any]:
    return {
        "call_id": call.id,
        "external_id": call.external_id,
        "customer_id": customer_ref(session, call),
        "started_at": call.started_at.isoformat() if call.started_at else None,
        "duration": call.duration_s,
        "agent": call.agent,
        "metrics": call.metrics,
        "signals": [{k: s.get(k) for k in EVIDENCE_FIELDS} for s in signals_for_call(session, call)],
    }


def enqueue_call_analyzed(session: Session, call_id: int) -> list[int]:
    """The pipeline's last stage: one ``call.analyzed`` event per analysis of the call."""
    call = session.get(Call, call_id)
    if call is None:
        return []
    replays = session.exec(
        select(func.count()).where(CallStatusEvent.call_id == call_id, CallStatusEvent.detail == "replayed")
    ).one()
    return enqueue_event(
        session,
        WebhookEvent.CALL_ANALYZED,
        call_analyzed_payload(session, call),
        event_key=f"call.analyzed:{call_id}:{replays}",
    )


def relay_flag_events(session: Session, after_id: int = 0, *, limit: int = 500) -> int:
    """Enqueue flag transitions after ``after_id``; returns the last id seen (the next cursor)."""
    last = after_id
    for event in flag_events(session, after_id=after_id, limit=limit):
        last = int(event["id"])
        enqueue_event(
            session,
            event["event"],
            {
                "customer_id": event["customer_id"],
                "flag": event["flag"],
                "at": event["at"],
                "evidence": event["evidence"],
            },
            event_key=f"customer-flag-event:{event['id']}",
            occurred_at=datetime.fromisoformat(event["at"]),
        )
    return last


def latest_flag_event_id(session: Session) -> int:
    return int(session.exec(select(func.max(col(CustomerFlagEvent.id)))).one() or 0)
