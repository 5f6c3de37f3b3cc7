"""Deleting a call and everything derived from it (erasure requests, retention, the API's DELETE)."""

from __future__ import annotations

import logging

from sqlalchemy import Table, delete
from sqlmodel import Session, select

from voc.audio_store import AudioStore
from voc.db.calls import Call

log = logging.getLogger(__name__)


def call_derived_tables() -> list[Table]:
    """Every table with a ``call_id`` foreign key to ``calls``, children before parents."""
    from voc.db.models import metadata  # every table module, imported late to avoid an import cycle

    found = [
        table
        for table in metadata.sorted_tables
        if "call_id" in table.c
        and any(fk.column.table.name == "calls" for fk in table.c["call_id"].foreign_keys)
    ]
    return list(reversed(found))


def delete_call(session: Session, store: AudioStore, call: Call) -> None:
    """Remove the call's rows in every derived table, the call, and its audio file."""
    assert call.id is not None
    for table in call_derived_tables():
        session.execute(delete(table).where(table.c["call_id"] == call.id))
    session.delete(call)
    session.flush()
    # Another call (the same recording under another external id) may still need the file.
    if session.exec(select(Call.id).where(Call.audio_sha256 == call.audio_sha256)).first() is None:
        store.delete(call.audio_sha256)
        log.info("call %s deleted with its audio", call.id)
    else:
        log.info("call %s deleted; its audio is kept for the other calls of the same recording", call.id)
