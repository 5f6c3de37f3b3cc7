"""Audio retention: originals older than the retention period are deleted; the redacted analysis stays.

The call row, its transcript and signals are kept, and the audio endpoint answers 410 Gone.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import Session, col, select

from voc.audio_store import AudioStore
from voc.audit.log import record
from voc.db.calls import FINISHED_STATUSES, Call

log = logging.getLogger(__name__)


def apply_retention(session: Session, store: AudioStore, older_than: datetime) -> int:
    """Delete the audio of finished calls uploaded before ``older_than``; returns how many files went.
    A queued or running call still needs its audio.

    Entry points pass ``now - timedelta(days=audio_retention_days)``. The caller commits (the audit entry).
    """
    if older_than.tzinfo is None:
        raise ValueError("older_than must be timezone-aware")
    rows = session.exec(
        select(Call.id, Call.audio_sha256).where(
            col(Call.created_at) < older_than, col(Call.status).in_(FINISHED_STATUSES)
        )
    ).all()
    # A recording shared with a call that is newer or still in the pipeline stays until that one is due too.
    due = {sha for _, sha in rows}
    keep = set(
        session.exec(
            select(Call.audio_sha256).where(
                col(Call.audio_sha256).in_(due),
                or_(col(Call.created_at) >= older_than, col(Call.status).not_in(FINISHED_STATUSES)),
            )
        ).all()
    )
    deleted = [call_id for call_id, sha in rows if sha not in keep and store.delete(sha)]
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
