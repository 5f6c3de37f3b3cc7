"""Deleting a call and everything derived from it (erasure requests, retention)."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, delete

from voc.audio_store import AudioStore
from voc.db.calls import Call, CallStatusEvent, Segment

log = logging.getLogger(__name__)


def delete_call(session: Session, store: AudioStore, call: Call) -> None:
    """Remove the call's rows and its audio file. Derived tables register their own cleanup here."""
    assert call.id is not None
    for table in DERIVED_TABLES:
        session.exec(delete(table).where(col(table.call_id) == call.id))  # type: ignore[attr-defined]
    session.exec(delete(Segment).where(col(Segment.call_id) == call.id))
    session.exec(delete(CallStatusEvent).where(col(CallStatusEvent.call_id) == call.id))
    session.delete(call)
    session.flush()
    store.delete(call.audio_sha256)
    log.info("call %s deleted with its audio", call.id)


#: Tables with a ``call_id`` column that later stages add (signals, topic assignments…).
DERIVED_TABLES: list[type] = []
