"""The reaper: with a broker, re-send the calls whose message was lost.

No broker delivers exactly once, and some losses are silent: a worker machine dies with its message
unacknowledged (Redis gives it back only after ``visibility_timeout``, hours), a retry's countdown message
dies with the worker that held it, or the enqueue after an upload failed. The database knows better: a
call that is claimable (its lease expired, or queued and due) and that nobody touched for ``stale_s`` has
no task in flight, so it is sent again. Sending twice is harmless (the claim makes duplicates no-ops).

Queued calls are re-sent only while the broker queue is empty (``queue_depth``): a deep backlog is not
lost, just waiting, and must not be doubled. Each re-sent call is touched (``updated_at``) with a
conditional update first, so several reapers (one per ``voc worker``) re-send a call once per ``stale_s``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.db.calls import ACTIVE_STATUSES, Call, CallStatus
from voc.db.types import utcnow

log = logging.getLogger(__name__)


class Enqueue(Protocol):
    def __call__(self, call_id: int, *, duration_s: float | None, audio_size: int | None) -> object: ...


def reap(
    engine: Engine,
    enqueue: Enqueue,
    *,
    stale_s: float = 300.0,
    queue_depth: Callable[[], int] | None = None,
    limit: int = 500,
) -> int:
    """Re-send calls that have been claimable and untouched for ``stale_s``; returns how many."""
    now = utcnow()
    cutoff = now - timedelta(seconds=stale_s)
    abandoned = and_(col(Call.status).in_(ACTIVE_STATUSES), col(Call.lease_expires_at) < now)
    waiting = and_(
        col(Call.status) == CallStatus.QUEUED,
        or_(col(Call.not_before).is_(None), col(Call.not_before) < cutoff),
    )
    wanted = [abandoned]
    if queue_depth is None or queue_depth() == 0:
        wanted.append(waiting)
    with Session(engine) as session:
        rows = session.exec(
            select(Call.id, Call.updated_at, Call.duration_s, Call.audio_size)
            .where(or_(*wanted), col(Call.updated_at) < cutoff)
            .order_by(col(Call.created_at), col(Call.id))
            .limit(limit)
        ).all()
        taken = []
        for call_id, updated_at, duration_s, audio_size in rows:
            result = session.execute(
                update(Call)
                .where(col(Call.id) == call_id, col(Call.updated_at) == updated_at)
                .values(updated_at=now)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                taken.append((call_id, duration_s, audio_size))
        session.commit()
    for call_id, duration_s, audio_size in taken:
        assert call_id is not None
        enqueue(call_id, duration_s=duration_s, audio_size=audio_size)
    if taken:
        log.info("reaper re-sent %d call(s): %s", len(taken), [t[0] for t in taken][:20])
    return len(taken)
