"""Reading calls back: the detail document other tools read (names binding) and simple lists.

A list reads the columns it shows (``CallPublic``'s) and the customer's id in one query, not whole rows
(the transcripts' redaction spans, the leases) rebuilt object by object.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.calls.failures import FailureDoc, explain_failure
from voc.db.calls import Call, CallPublic, Segment
from voc.db.customers import Customer
from voc.db.types import IsoTimestamp
from voc.signals.store import SignalDoc, signals_for_call

MAX_ID = 2**31 - 1  # INTEGER on both backends: a larger "id" is an unknown external id


class SegmentDoc(TypedDict):
    speaker: str
    start: float
    end: float
    text: str


class CallDetail(TypedDict):
    """One call as the API, ``voc calls show --json`` and the web UI read it (names binding)."""

    id: int
    external_id: str | None
    customer_id: str | None
    status: str
    stage_progress: float
    error: str | None
    failure: FailureDoc | None
    attempts: int
    created_at: IsoTimestamp
    duration: float | None
    channels: str
    agent: str | None
    started_at: IsoTimestamp | None
    segments: list[SegmentDoc]
    metrics: dict[str, Any]
    redactions: list[dict[str, Any]]
    signals: list[SignalDoc]


#: The columns of a call a list shows: ``CallPublic``'s fields (its customer id comes from ``customers``).
LIST_COLUMNS: tuple[Any, ...] = tuple(
    col(getattr(Call, name)) for name in CallPublic.model_fields if name != "customer_id"
)


def list_calls(session: Session, query: Select[Any], limit: int) -> list[dict[str, Any]]:
    """The calls ``query`` (a ``select(Call)`` with its filters and order) finds, at most ``limit``, as
    the list shows them: only the listed columns and the customer id, in one statement.

    Plain rows with ``CallPublic``'s fields, as the database's types read them: whoever serialises the
    list validates it once, as a whole (a ``CallPublic`` built per row cost more than the query)."""
    shown = (
        query.with_only_columns(*LIST_COLUMNS, col(Customer.customer_id), maintain_column_froms=True)
        .outerjoin(Customer, col(Customer.id) == col(Call.customer_pk))
        .limit(limit)
    )
    return [dict(row._mapping) for row in session.execute(shown)]


def find_call(session: Session, ref: str | int) -> Call | None:
    """A call by our id or by the uploader's external id (the external id wins when both match)."""
    text = str(ref)
    call = session.exec(select(Call).where(Call.external_id == text)).first()
    if call is None and text.isascii() and text.isdigit() and int(text) <= MAX_ID:
        call = session.get(Call, int(text))
    return call


def customer_ref(session: Session, call: Call) -> str | None:
    if call.customer_pk is None:
        return None
    customer = session.get(Customer, call.customer_pk)
    return customer.customer_id if customer else None


def segments_of(session: Session, call_id: int) -> list[Segment]:
    return list(
        session.exec(select(Segment).where(Segment.call_id == call_id).order_by(col(Segment.idx))).all()
    )


def call_detail(session: Session, call: Call) -> CallDetail:
    """``{external_id, customer_id, status, duration, channels, segments, metrics, signals}`` and more:
    one call as the API and ``voc calls show`` read it (its signals with their evidence)."""
    assert call.id is not None
    return {
        "id": call.id,
        "external_id": call.external_id,
        "customer_id": customer_ref(session, call),
        "status": call.status,
        "stage_progress": call.stage_progress,
        "error": call.error,
        # The reason as a code the UI words in its language (the error text above is kept as stored).
        "failure": failure.as_dict() if (failure := explain_failure(call.error)) else None,
        "attempts": call.attempts,
        "created_at": call.created_at.isoformat(),
        "duration": call.duration_s,
        "channels": call.channel_layout,
        "agent": call.agent,
        "started_at": call.started_at.isoformat() if call.started_at else None,
        "segments": [
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
            for speaker, start, end, text in session.execute(  # the four columns shown, no Segment objects
                select(col(Segment.speaker), col(Segment.start), col(Segment.end), col(Segment.text))
                .where(Segment.call_id == call.id)
                .order_by(col(Segment.idx))
            )
        ],
        "metrics": call.metrics,
        "redactions": call.redactions,
        "signals": signals_for_call(session, call),
    }
