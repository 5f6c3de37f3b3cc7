"""Audio retention: originals older than the retention period are deleted; the redacted analysis stays.

The call row, its transcript and signals are kept, and the audio endpoint answers 410 Gone.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, col, select

from voc.audio_store import AudioStore
from voc.audit.log import record
from voc.db.calls import Call

log = logging.getLogger(__name__)

#: Only finished calls lose their audio: a queued or running call still needs it.
FINISHED = ("done", "failed", "dead")


def apply_retention(session: Session, store: AudioStore, older_than: datetime) -> int:
    """Delete the audio of finished calls uploaded before ``older_than``; returns how many files went.

    Entry points pass ``now - timedelta(days=audio_retention_days)``. The caller commits (the audit entry).
    """
    if older_than.tzinfo is None:
        raise ValueError("older_than must be timezone-aware")
    rows = session.exec(
        select(Call.id, Call.audio_sha256).where(
            col(Call.created_at) < older_than, col(Call.status).in_(FINISHED)
        )
    ).all()
    deleted = [call_id for call_id, sha in rows if store.delete(sha)]
    if deleted:
        record(
            session,
            "audio.retention",
            "call",
            None,
            detail={"deleted": len(deleted), "older_than": older_than.isoformat()},
        )
        log.info("retention: deleted the audio of %d call(s) uploaded before %s", len(deleted), older_than)
    return len(deleted)
