"""Reading signals back: per call (the call detail document) and as a filtered list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.db.calls import Call
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow
from voc.db.types import IsoTimestamp
from voc.signals.feedback import labels_for_calls


class SignalDoc(TypedDict):
    """One signal with its evidence, as the call detail, the CLI and webhooks give it (names binding)."""

    id: int | None
    type: str
    score: float
    speaker: str
    start: float
    end: float
    text: str
    segment: int
    source: str
    rule: str | None
    matched: str | None
    feedback: str | None


class ListedSignalDoc(SignalDoc):
    """A signal in the filtered list: with the call it came from and when that call took place."""

    call_id: str
    call_pk: int | None
    customer_id: str | None
    at: IsoTimestamp


def signal_dict(row: CallSignalRow, feedback: str | None = None) -> SignalDoc:
    return {
        "id": row.id,
        "type": row.type,
        "score": row.score,
        "speaker": row.speaker,
        "start": round(row.start, 2),
        "end": round(row.end, 2),
        "text": row.text,
        "segment": row.segment_idx,
        "source": row.source,
        "rule": row.rule,
        "matched": row.matched,
        "feedback": feedback,
    }


def signals_for_call(session: Session, call: Call) -> list[SignalDoc]:
    """``[{type, score, speaker, start, end, text, segment, source, id, rule, matched, feedback}]``."""
    if call.id is None:
        return []
    rows = session.exec(
        select(CallSignalRow)
        .where(CallSignalRow.call_id == call.id)
        .order_by(col(CallSignalRow.start), col(CallSignalRow.id))
    ).all()
    labels = labels_for_calls(session, [call.id])
    return [signal_dict(r, labels.get((r.call_id, r.segment_idx, r.type))) for r in rows]


@dataclass(frozen=True, slots=True)
class SignalFilter:
    type: str | None = None
    customer_pk: int | None = None
    call_id: int | None = None
    source: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


def list_signals(
    session: Session, filters: SignalFilter, *, limit: int = 50, before_id: int | None = None
) -> tuple[list[ListedSignalDoc], int | None]:
    """Newest first, keyset-paginated by id; returns the page and the id to continue before (or None).

    Dates filter on when the call took place (its ``started_at``, else when it was uploaded).
    """
    when = func.coalesce(col(Call.started_at), col(Call.created_at))
    query = (
        select(CallSignalRow, Call, Customer)
        .join(Call, col(Call.id) == col(CallSignalRow.call_id))
        .outerjoin(Customer, col(Customer.id) == col(Call.customer_pk))
        .order_by(col(CallSignalRow.id).desc())
    )
    if filters.type:
        query = query.where(CallSignalRow.type == filters.type)
    if filters.source:
        query = query.where(CallSignalRow.source == filters.source)
    if filters.call_id is not None:
        query = query.where(CallSignalRow.call_id == filters.call_id)
    if filters.customer_pk is not None:
        query = query.where(Call.customer_pk == filters.customer_pk)
    if filters.date_from is not None:
        query = query.where(when >= filters.date_from)
    if filters.date_to is not None:
        query = query.where(when < filters.date_to)
    if before_id is not None:
        query = query.where(col(CallSignalRow.id) < before_id)
    found = session.exec(query.limit(limit + 1)).all()
    more = len(found) > limit
    found = found[:limit]
    labels = labels_for_calls(session, [c.id for _, c, _ in found if c.id is not None])
    items: list[ListedSignalDoc] = []
    for row, call, customer in found:
        item = signal_dict(row, labels.get((row.call_id, row.segment_idx, row.type)))
        when_value = call.started_at or call.created_at
        items.append(
            {
                **item,
                "call_id": call.external_id or str(call.id),
                "call_pk": call.id,
                "customer_id": customer.customer_id if customer else None,
                "at": when_value.isoformat(),
            }
        )
    next_before = found[-1][0].id if more and found else None
    return items, next_before
