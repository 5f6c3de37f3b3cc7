"""Reading calls back: the detail document other tools read (names binding) and simple lists.

A list reads the columns it shows (``CallPublic``'s) and the customer's id in one query, not whole rows
(the transcripts' redaction spans, the leases) rebuilt object by object.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, and_, case, func, or_
from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.calls.failures import FailureDoc, explain_failure
from voc.db.calls import Call, CallPublic, Segment
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow
from voc.db.topics import TopicAssignment
from voc.db.types import IsoTimestamp, UTCDateTime
from voc.signals.store import SignalDoc, call_signals

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


@dataclass(frozen=True)
class CallListQuery:
    """The calls list's filters and page, as values (each ``None``: not filtered by it)."""

    newest: bool = True  # by call time (started_at, else upload), ties by id
    status: str | None = None
    agent: str | None = None
    customer_pk: int | None = None
    started_from: datetime | None = None  # inclusive
    started_to: datetime | None = None  # exclusive
    signal: str | None = None  # calls with a signal of this type
    topic: tuple[int, int] | None = None  # (version id, topic index): calls assigned to it
    after: tuple[datetime, int] | None = None  # the cursor: (call time, id) of the last call shown
    limit: int = 50

    def shape(self) -> tuple[bool, ...]:
        """Which filters are set: what the statement depends on (the values are bound)."""
        values = (self.status, self.agent, self.customer_pk, self.started_from, self.started_to)
        return (self.newest, *(v is not None for v in (*values, self.signal, self.topic, self.after)))

    def params(self) -> dict[str, Any]:
        topic, after = self.topic or (None, None), self.after or (None, None)
        return {
            "status": self.status,
            "agent": self.agent,
            "customer_pk": self.customer_pk,
            "started_from": self.started_from,
            "started_to": self.started_to,
            "signal": self.signal,
            "version_id": topic[0],
            "topic_index": topic[1],
            "after_t": after[0],
            "after_id": after[1],
            "limit": self.limit,
        }


@functools.lru_cache(maxsize=1024)
def _list_statement(shape: tuple[bool, ...]) -> Select[Any]:
    """The list of one shape of filters, built once per process (building it cost more CPU than the
    database spent running it): ``CallPublic``'s columns and the customer id, in one statement."""
    newest, status, agent, customer, started_from, started_to, signal, topic, after = shape
    when = func.coalesce(col(Call.started_at), col(Call.created_at))
    query = (
        sa.select(*LIST_COLUMNS, col(Customer.customer_id))
        .outerjoin(Customer, col(Customer.id) == col(Call.customer_pk))
        .order_by(when.desc() if newest else when.asc(), col(Call.id).desc() if newest else col(Call.id))
        .limit(sa.bindparam("limit", type_=sa.Integer))
    )
    if status:
        query = query.where(col(Call.status) == sa.bindparam("status"))
    if agent:
        query = query.where(col(Call.agent) == sa.bindparam("agent"))
    if customer:
        query = query.where(col(Call.customer_pk) == sa.bindparam("customer_pk"))
    if started_from:
        query = query.where(col(Call.started_at) >= sa.bindparam("started_from"))
    if started_to:
        query = query.where(col(Call.started_at) < sa.bindparam("started_to"))
    if signal:
        typed = sa.select(col(CallSignalRow.call_id)).where(col(CallSignalRow.type) == sa.bindparam("signal"))
        query = query.where(col(Call.id).in_(typed))
    if topic:
        assigned = sa.select(col(TopicAssignment.call_id)).where(
            col(TopicAssignment.version_id) == sa.bindparam("version_id"),
            col(TopicAssignment.topic_index) == sa.bindparam("topic_index"),
        )
        query = query.where(col(Call.id).in_(assigned))
    if after:
        at, after_id = (
            sa.bindparam("after_t", type_=UTCDateTime()),
            sa.bindparam("after_id", type_=sa.Integer),
        )
        if newest:
            query = query.where(or_(when < at, and_(when == at, col(Call.id) < after_id)))
        else:
            query = query.where(or_(when > at, and_(when == at, col(Call.id) > after_id)))
    return query


def list_calls(session: Session, query: CallListQuery) -> list[dict[str, Any]]:
    """The calls ``query`` finds, in its order, at most its ``limit``, as the list shows them.

    Plain rows with ``CallPublic``'s fields, as the database's types read them, on the session's
    connection (a read: no ORM loading): whoever serialises the list validates it once, as a whole (a
    ``CallPublic`` built per row cost more than the query)."""
    found = session.connection().execute(_list_statement(query.shape()), query.params())
    names = list(found.keys())
    return [dict(zip(names, row, strict=True)) for row in found.all()]


def our_id(ref: str) -> int | None:
    """The call id ``ref`` can be: ASCII digits within INTEGER ("¹", a longer or a larger number: only
    an external id can match; the length is checked first, so a huge ``ref`` is never parsed)."""
    return int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 10 and int(ref) <= MAX_ID else None


def find_call(session: Session, ref: str | int) -> Call | None:
    """A call by our id or by the uploader's external id (the external id wins when both match)."""
    text = str(ref)
    call = session.exec(select(Call).where(Call.external_id == text)).first()
    if call is None and (pk := our_id(text)) is not None:
        call = session.get(Call, pk)
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


#: What a call's detail shows of it, and its customer's id: plain columns (no leases, no filename).
_DETAIL = sa.select(
    *(col(getattr(Call, name)) for name in ("id", "external_id", "status", "stage_progress", "error")),
    *(col(getattr(Call, name)) for name in ("attempts", "created_at", "duration_s", "channel_layout")),
    *(col(getattr(Call, name)) for name in ("agent", "started_at", "metrics", "redactions")),
    col(Customer.customer_id),
).outerjoin(Customer, col(Customer.id) == col(Call.customer_pk))

_REF = sa.bindparam("ref", type_=sa.String)
#: A call by the uploader's external id (``ref``) or by our id (``pk``; NULL matches nothing), the
#: external id winning when both match (as ``find_call``), in one round trip.
CALL_BY_REF = (
    _DETAIL.where(or_(col(Call.external_id) == _REF, col(Call.id) == sa.bindparam("pk", type_=sa.Integer)))
    .order_by(case((col(Call.external_id) == _REF, 0), else_=1))
    .limit(1)
)

#: A call's transcript: the four columns shown, in order.
SEGMENTS = (
    select(col(Segment.speaker), col(Segment.start), col(Segment.end), col(Segment.text))
    .where(col(Segment.call_id) == sa.bindparam("call_id", type_=sa.Integer))
    .order_by(col(Segment.idx))
)


def call_document(session: Session, *, ref: str | None, pk: int | None) -> CallDetail | None:
    """The detail of the call whose external id is ``ref``, else of the call ``pk`` (``None``: not by
    that); ``None`` when neither exists. Three statements built once, as plain rows on the
    session's connection: for a session that has written nothing (a read)."""
    connection = session.connection()
    row = connection.execute(CALL_BY_REF, {"ref": ref, "pk": pk}).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "external_id": row.external_id,
        "customer_id": row.customer_id,
        "status": row.status,
        "stage_progress": row.stage_progress,
        "error": row.error,
        # The reason as a code the UI words in its language (the error text above is kept as stored).
        "failure": failure.as_dict() if (failure := explain_failure(row.error)) else None,
        "attempts": row.attempts,
        "created_at": row.created_at.isoformat(),
        "duration": row.duration_s,
        "channels": row.channel_layout,
        "agent": row.agent,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "segments": [
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
            for speaker, start, end, text in connection.execute(SEGMENTS, {"call_id": row.id}).all()
        ],
        "metrics": row.metrics,
        "redactions": row.redactions,
        "signals": call_signals(connection, row.id),
    }


def call_detail(session: Session, call: Call) -> CallDetail:
    """``{external_id, customer_id, status, duration, channels, segments, metrics, signals}`` and more:
    one call as the API and ``voc calls show`` read it (its signals with their evidence), as stored."""
    assert call.id is not None
    session.flush()
    detail = call_document(session, ref=None, pk=call.id)
    assert detail is not None
    return detail
