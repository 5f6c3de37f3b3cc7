"""Exports for analysts and CRM loads: calls with their signals and topic, as rows (CSV) or documents (JSON).

Everything exported comes from stored, already redacted data; nothing is read from the audio.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import NotRequired

from sqlmodel import Session, col, select
from typing_extensions import TypedDict

from voc.db.calls import Call, Segment
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow
from voc.db.topics import Topic, TopicAssignment
from voc.db.types import IsoTimestamp
from voc.topics.service import active_version

CALL_COLUMNS = (
    "call_id", "external_id", "customer_id", "agent", "started_at", "status", "duration", "channels",
    "topic", "signals", "talk_ratio",
)  # fmt: skip


class ExportedSignal(TypedDict):
    type: str
    score: float
    speaker: str
    start: float
    text: str


class ExportedSegment(TypedDict):
    speaker: str
    start: float
    end: float
    text: str


class ExportedCall(TypedDict):
    """One call of the JSON export (the CSV has the same columns, signals as ``type:score``)."""

    call_id: int
    external_id: str | None
    customer_id: str | None
    agent: str | None
    started_at: IsoTimestamp | None
    status: str
    duration: float | None
    channels: str
    topic: str | None
    signals: list[ExportedSignal]
    talk_ratio: float | None
    segments: NotRequired[list[ExportedSegment]]  # only with the transcript


def export_calls(
    session: Session,
    *,
    started_from: datetime | None = None,
    started_to: datetime | None = None,
    with_transcript: bool = False,
    limit: int = 10_000,
) -> list[ExportedCall]:
    query = (
        select(Call, Customer)
        .join(Customer, col(Customer.id) == col(Call.customer_pk), isouter=True)
        .order_by(col(Call.id))
        .limit(limit)
    )
    if started_from is not None:
        query = query.where(col(Call.started_at) >= started_from)
    if started_to is not None:
        query = query.where(col(Call.started_at) < started_to)
    rows = session.exec(query).all()
    ids = [c.id for c, _ in rows]
    signals: dict[int, list[ExportedSignal]] = {}
    for s in session.exec(select(CallSignalRow).where(col(CallSignalRow.call_id).in_(ids))).all():
        signals.setdefault(s.call_id, []).append(
            {
                "type": s.type,
                "score": round(s.score, 3),
                "speaker": s.speaker,
                "start": s.start,
                "text": s.text,
            }
        )
    topics: dict[int, str] = {}
    version = active_version(session)
    if version is not None:
        names = {
            t.index: t.display_name for t in session.exec(select(Topic).where(Topic.version_id == version.id))
        }
        for a in session.exec(
            select(TopicAssignment).where(
                TopicAssignment.version_id == version.id, col(TopicAssignment.call_id).in_(ids)
            )
        ):
            if a.topic_index >= 0:
                topics[a.call_id] = names.get(a.topic_index, str(a.topic_index))
    transcripts: dict[int, list[ExportedSegment]] = {}
    if with_transcript:
        for seg in session.exec(
            select(Segment)
            .where(col(Segment.call_id).in_(ids))
            .order_by(col(Segment.call_id), col(Segment.idx))
        ):
            transcripts.setdefault(seg.call_id, []).append(
                {"speaker": seg.speaker, "start": seg.start, "end": seg.end, "text": seg.text}
            )
    out = []
    for call, customer in rows:
        assert call.id is not None
        doc: ExportedCall = {
            "call_id": call.id,
            "external_id": call.external_id,
            "customer_id": customer.customer_id if customer else None,
            "agent": call.agent,
            "started_at": call.started_at.isoformat() if call.started_at else None,
            "status": call.status,
            "duration": call.duration_s,
            "channels": call.channel_layout,
            "topic": topics.get(call.id),
            "signals": signals.get(call.id, []),
            "talk_ratio": call.metrics.get("talk_ratio"),
        }
        if with_transcript:
            doc["segments"] = transcripts.get(call.id, [])
        out.append(doc)
    return out


def calls_csv(docs: Sequence[ExportedCall]) -> str:
    """One row a call; signals as ``type:score`` joined by ``;`` (the evidence is in the JSON export)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CALL_COLUMNS)
    for d in docs:
        row = {**d, "signals": ";".join(f"{s['type']}:{s['score']}" for s in d["signals"])}
        writer.writerow([row.get(c) for c in CALL_COLUMNS])
    return out.getvalue()
