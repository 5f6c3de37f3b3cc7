"""Deleting a call and everything derived from it (erasure requests, retention, the API's DELETE).

The call's signals were evidence for its customer's flags and scores: the customer is recomputed in the
same transaction, so the call's utterances leave their flags, the at-risk list and their risk row at once
(a flag the call alone supported is cleared, with its event)."""

from __future__ import annotations

import logging

from sqlalchemy import Table, delete
from sqlmodel import Session, select

from voc.audio_store import AudioStore
from voc.db.calls import Call
from voc.signals.flags import FlagChanges, recompute_customer
from voc.signals.params import SignalParams

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


def delete_call(
    session: Session, store: AudioStore, call: Call, *, params: SignalParams | None
) -> FlagChanges:
    """Remove the call's rows in every derived table, the call, and its audio file, then recompute its
    customer's flags and risk row with ``params`` (``None``: the customer is being erased too, nothing
    to recompute). Returns the flags that changed. Flushes only."""
    assert call.id is not None
    customer_pk = call.customer_pk
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
    if params is None or customer_pk is None:
        return FlagChanges()
    return recompute_customer(session, customer_pk, params)
