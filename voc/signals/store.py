"""Reading signals back: per call (the call detail document) and as a filtered list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, func
from sqlalchemy.engine import Row
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.db.calls import Call
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow, SignalFeedback
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


def signal_dict(row: CallSignalRow | Row[Any], feedback: str | None = None) -> SignalDoc:
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


#: The latest label an analyst gave a signal's utterance and type (``labels_for_calls``: the last by time).
_LATEST_LABEL = (
    sa.select(col(SignalFeedback.label))
    .where(
        col(SignalFeedback.call_id) == col(CallSignalRow.call_id),
        col(SignalFeedback.segment_idx) == col(CallSignalRow.segment_idx),
        col(SignalFeedback.type) == col(CallSignalRow.type),
    )
    .order_by(col(SignalFeedback.at).desc(), col(SignalFeedback.id).desc())
    .limit(1)
    .correlate(CallSignalRow)
    .scalar_subquery()
)

#: One call's signals, the columns ``signal_dict`` reads and each one's feedback, in one statement.
CALL_SIGNALS = (
    sa.select(
        *(col(getattr(CallSignalRow, name)) for name in ("id", "type", "score", "speaker", "start", "end")),
        *(col(getattr(CallSignalRow, name)) for name in ("text", "segment_idx", "source", "rule", "matched")),
        _LATEST_LABEL.label("feedback"),
    )
    .where(col(CallSignalRow.call_id) == sa.bindparam("call_id", type_=sa.Integer))
    .order_by(col(CallSignalRow.start), col(CallSignalRow.id))
)


def call_signals(db: Session | Connection, call_id: int) -> list[SignalDoc]:
    """``[{type, score, speaker, start, end, text, segment, source, id, rule, matched, feedback}]`` of one
    call. On a session the statement sees what it has not flushed yet (a pipeline stage's new rows); a
    read that has written nothing passes the session's connection (plain rows, no ORM loading)."""
    return [signal_dict(row, row.feedback) for row in db.execute(CALL_SIGNALS, {"call_id": call_id}).all()]


def signals_for_call(session: Session, call: Call) -> list[SignalDoc]:
    """``call_signals`` of a call object."""
    return [] if call.id is None else call_signals(session, call.id)


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
