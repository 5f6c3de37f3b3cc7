"""Building customers and transcribed calls directly in the database, as the earlier stages would."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from voc.customers.records import upsert_customer
from voc.db.calls import Call, CallStatus, Segment
from voc.db.customers import CustomerCreate, CustomerStatus
from voc.db.signals import CallSignalRow, SignalType

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
Turn = tuple[str, str]  # (speaker, text)


def add_customer(
    session: Session,
    customer_id: str,
    usage: float | None,
    *,
    fee: float | None = 5000,
    tenure: int | None = 24,
    status: str = "active",
    churned_at: datetime | None = None,
    ltv: float | None = None,
) -> int:
    customer, _ = upsert_customer(
        session,
        CustomerCreate(
            customer_id=customer_id,
            name=f"顧客{customer_id}",
            monthly_fee=fee,
            usage_rate=usage,
            tenure_months=tenure,
            status=CustomerStatus(status),
            churned_at=churned_at,
            attributes={"ltv": ltv} if ltv is not None else {},
        ),
    )
    session.flush()
    assert customer.id is not None
    return customer.id


def add_call(
    session: Session,
    external_id: str,
    turns: Sequence[Turn],
    *,
    customer_pk: int | None = None,
    started_at: datetime | None = None,
) -> int:
    call = Call(
        external_id=external_id,
        audio_sha256=hashlib.sha256(external_id.encode()).hexdigest(),
        customer_pk=customer_pk,
        started_at=started_at or NOW - timedelta(days=1),
        status=CallStatus.ANALYSING,
    )
    session.add(call)
    session.flush()
    assert call.id is not None
    t = 0.0
    for idx, (speaker, text) in enumerate(turns):
        session.add(Segment(call_id=call.id, idx=idx, speaker=speaker, start=t, end=t + 3.0, text=text))
        t += 4.0
    session.flush()
    return call.id


def add_signal_call(
    session: Session,
    ref: str,
    kind: SignalType,
    text: str,
    *,
    customer_pk: int | None = None,
    caller_number: str | None = None,
    started_at: datetime | None = None,
) -> int:
    """An analysed call with one customer utterance the signal stage found (no transcript needed)."""
    call = Call(
        external_id=ref,
        audio_sha256=hashlib.sha256(ref.encode()).hexdigest(),
        customer_pk=customer_pk,
        caller_number=caller_number,
        started_at=started_at,
        status=CallStatus.DONE,
    )
    session.add(call)
    session.flush()
    assert call.id is not None
    session.add(
        CallSignalRow(
            call_id=call.id,
            segment_idx=1,
            type=kind,
            score=0.9,
            speaker="customer",
            start=4.0,
            end=7.5,
            text=text,
        )
    )
    session.flush()
    return call.id
