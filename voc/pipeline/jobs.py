"""Job state in the database, the record of truth: claim with a lease, report progress, finish or fail.

A worker claims a call (lease owner + expiry), and every later write checks that it still owns the
lease, so a worker that was presumed dead cannot overwrite the work of the one that took over. A lease
that expires puts the call back in the queue; after ``max_attempts`` claims it is dead-lettered. A
supervisor that saw its worker process die releases that worker's calls at once (``release_owner``).

Every function here commits the session it is handed: a claim, a stage change or an outcome must be visible
to the other workers when it returns (the exception to the rule in ``voc.db``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.sql.selectable import GenerativeSelect
from sqlmodel import Session, col, select

from voc.db.calls import ACTIVE_STATUSES, REPLAYABLE_STATUSES, Call, CallStatus, CallStatusEvent
from voc.db.types import utcnow

log = logging.getLogger(__name__)

_Q = TypeVar("_Q", bound=GenerativeSelect)


class LeaseLostError(RuntimeError):
    """Another worker owns this call now: stop without writing."""


@dataclass(frozen=True)
class Claim:
    call_id: int
    attempt: int


def _claimable(now: datetime) -> ColumnElement[bool]:
    waiting = and_(
        col(Call.status) == CallStatus.QUEUED,
        or_(col(Call.not_before).is_(None), col(Call.not_before) <= now),
    )
    abandoned = and_(col(Call.status).in_(ACTIVE_STATUSES), col(Call.lease_expires_at) < now)
    return or_(waiting, abandoned)


def others_waiting(session: Session, call_id: int) -> bool:
    """Whether any call besides ``call_id`` is claimable now (another worker would take it)."""
    query = select(Call.id).where(_claimable(utcnow()), col(Call.id) != call_id).limit(1)
    found = session.exec(query).first() is not None
    session.commit()
    return found


def claim_next(session: Session, worker_id: str, *, lease_s: float, max_attempts: int) -> Claim | None:
    """Take the oldest claimable call, or ``None``. Safe with any number of workers on any backend."""
    now = utcnow()
    while True:
        query = (
            select(Call.id, Call.attempts, Call.error)
            .where(_claimable(now))
            .order_by(col(Call.created_at), col(Call.id))
        )
        row = session.exec(_skip_locked(session, query).limit(1)).first()
        if row is None:
            session.commit()
            return None
        claim = _take(session, int(row[0] or 0), row[1], row[2], worker_id, now, lease_s, max_attempts)
        if claim is not None:
            return claim


def claim_call(
    session: Session, call_id: int, worker_id: str, *, lease_s: float, max_attempts: int
) -> Claim | None:
    """Take this one call if it is claimable: ``None`` while another worker holds its lease, while it
    waits for its retry time, or once it is finished (a duplicate delivery of its task is a no-op)."""
    now = utcnow()
    query = select(Call.id, Call.attempts, Call.error).where(col(Call.id) == call_id, _claimable(now))
    row = session.exec(_skip_locked(session, query)).first()
    if row is None:
        session.commit()
        return None
    return _take(session, call_id, row[1], row[2], worker_id, now, lease_s, max_attempts)


def retry_due(session: Session, call_id: int) -> datetime | None:
    """When a queued call waiting for its retry becomes claimable (``None``: not waiting)."""
    now = utcnow()
    due = session.exec(
        select(Call.not_before).where(
            col(Call.id) == call_id, col(Call.status) == CallStatus.QUEUED, col(Call.not_before) > now
        )
    ).first()
    session.commit()
    return due


def retry_delay_s(attempt: int, backoff_s: float) -> float:
    """Exponential backoff after the ``attempt``-th failure."""
    return float(backoff_s * 2 ** (attempt - 1))


def _skip_locked(session: Session, query: _Q) -> _Q:
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _take(
    session: Session,
    call_id: int,
    attempts: int,
    last_error: str | None,
    worker_id: str,
    now: datetime,
    lease_s: float,
    max_attempts: int,
) -> Claim | None:
    if attempts >= max_attempts:
        # The last attempt's error says why (e.g. the worker died on this call each time).
        reason = f"{attempts} 回試行しても完了しませんでした (attempts exhausted)"
        _dead_letter(session, call_id, f"{reason}: {last_error}" if last_error else reason, now)
        return None
    # The WHERE clause repeats the claim condition: on SQLite, where nothing is locked, the update
    # only succeeds for the worker that still sees the call claimable.
    result = session.execute(
        update(Call)
        .where(col(Call.id) == call_id, _claimable(now))
        .values(
            status=CallStatus.DECODING,
            lease_owner=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_s),
            attempts=Call.attempts + 1,
            stage_progress=0.0,
            updated_at=now,
        )
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        session.add(
            CallStatusEvent(call_id=call_id, status=CallStatus.DECODING, detail=f"worker {worker_id}", at=now)
        )
        session.commit()
        return Claim(call_id=call_id, attempt=attempts + 1)
    session.commit()
    return None


def _dead_letter(session: Session, call_id: int, reason: str, now: datetime) -> None:
    # Conditional like the claim, so two workers that both see the exhausted call record one dead letter.
    result = session.execute(
        update(Call)
        .where(col(Call.id) == call_id, _claimable(now))
        .values(status=CallStatus.DEAD, error=reason, lease_owner=None, lease_expires_at=None, updated_at=now)
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        session.add(CallStatusEvent(call_id=call_id, status=CallStatus.DEAD, detail=reason, at=now))
        log.warning("call %s dead-lettered: %s", call_id, reason)
    session.commit()


def _owned(session: Session, call_id: int, worker_id: str, values: dict[str, object]) -> None:
    now = utcnow()
    result = session.execute(
        update(Call)
        .where(col(Call.id) == call_id, col(Call.lease_owner) == worker_id)
        .values(**values, updated_at=now)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise LeaseLostError(f"call {call_id} is no longer leased by {worker_id}")


def set_stage(
    session: Session, call_id: int, worker_id: str, status: CallStatus, progress: float, *, lease_s: float
) -> None:
    """Report the stage and its progress (0–1), extending the lease: a heartbeat with content."""
    current = session.exec(select(Call.status).where(Call.id == call_id)).first()
    _owned(
        session,
        call_id,
        worker_id,
        {
            "status": status,
            "stage_progress": max(0.0, min(1.0, progress)),
            "lease_expires_at": utcnow() + timedelta(seconds=lease_s),
        },
    )
    if current != status:
        session.add(CallStatusEvent(call_id=call_id, status=status, at=utcnow()))
    session.commit()


def complete(session: Session, call_id: int, worker_id: str) -> None:
    """Mark done in the same transaction as the stage results the caller added to ``session``."""
    _owned(
        session,
        call_id,
        worker_id,
        {
            "status": CallStatus.DONE,
            "stage_progress": 1.0,
            "error": None,
            "lease_owner": None,
            "lease_expires_at": None,
        },
    )
    session.add(CallStatusEvent(call_id=call_id, status=CallStatus.DONE, at=utcnow()))
    session.commit()


def fail(
    session: Session,
    call_id: int,
    worker_id: str,
    reason: str,
    *,
    retryable: bool,
    attempt: int,
    max_attempts: int,
    backoff_s: float = 30.0,
) -> CallStatus:
    """Record a failure: retry later with exponential backoff, or end as ``failed`` / ``dead``."""
    if not retryable:
        status, not_before = CallStatus.FAILED, None
    elif attempt >= max_attempts:
        status, not_before = CallStatus.DEAD, None
    else:
        status, not_before = (
            CallStatus.QUEUED,
            utcnow() + timedelta(seconds=retry_delay_s(attempt, backoff_s)),
        )
    _owned(
        session,
        call_id,
        worker_id,
        {
            "status": status,
            "error": reason,
            "lease_owner": None,
            "lease_expires_at": None,
            "not_before": not_before,
        },
    )
    session.add(CallStatusEvent(call_id=call_id, status=status, detail=reason, at=utcnow()))
    session.commit()
    log.warning("call %s attempt %d failed (%s): %s", call_id, attempt, status, reason)
    return status


def release_owner(
    session: Session, worker_id: str, reason: str, *, count_attempt: bool, max_attempts: int
) -> list[int]:
    """Release the calls ``worker_id`` holds, once its process is known to be gone: they are claimable
    at once instead of after their lease. A death counts as an attempt (a file that kills its worker
    each time ends in the dead letter after ``max_attempts``); a call handed back on a graceful stop
    does not. Returns the released calls' ids."""
    now = utcnow()
    rows = session.exec(
        select(Call.id, Call.attempts).where(
            col(Call.lease_owner) == worker_id, col(Call.status).in_(ACTIVE_STATUSES)
        )
    ).all()
    released = []
    for call_id, attempts in rows:
        assert call_id is not None
        left = attempts if count_attempt else max(0, attempts - 1)
        dead = count_attempt and left >= max_attempts
        status = CallStatus.DEAD if dead else CallStatus.QUEUED
        detail = f"{left} 回試行しても完了しませんでした (attempts exhausted): {reason}" if dead else reason
        # Conditional on the owner: the call is changed only if nobody took it over meanwhile.
        result = session.execute(
            update(Call)
            .where(col(Call.id) == call_id, col(Call.lease_owner) == worker_id)
            .values(
                status=status,
                attempts=left,
                error=detail,
                lease_owner=None,
                lease_expires_at=None,
                not_before=None,
                stage_progress=0.0,
                updated_at=now,
            )
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.add(CallStatusEvent(call_id=call_id, status=status, detail=detail[:500], at=now))
            released.append(call_id)
            log.warning("call %s released by %s (%s): %s", call_id, worker_id, status, reason)
    session.commit()
    return released


def requeue(session: Session, call_id: int) -> bool:
    """Replay a failed or dead-lettered call from the start."""
    result = session.execute(
        update(Call)
        .where(col(Call.id) == call_id, col(Call.status).in_(REPLAYABLE_STATUSES))
        .values(
            status=CallStatus.QUEUED,
            attempts=0,
            error=None,
            not_before=None,
            stage_progress=0.0,
            updated_at=utcnow(),
        )
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        session.add(
            CallStatusEvent(call_id=call_id, status=CallStatus.QUEUED, detail="replayed", at=utcnow())
        )
    session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
