"""Analysts' feedback: confirm or dismiss a flagged signal (or label a text the signals missed).

Labels are keyed by (call, segment, signal type) rather than by the signal row, because re-analysing a
call replaces its rows: a dismissed signal stays dismissed, and dismissed signals never count towards a
customer's flags. The latest label wins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlmodel import Session, col, select

from voc.db.signals import FEEDBACK_LABELS, CallSignalRow, SignalFeedback, SignalType
from voc.db.types import utcnow
from voc.errors import InvalidInputError, NotFoundError
from voc.signals.rules import SIGNAL_TYPES

log = logging.getLogger(__name__)

FeedbackKey = tuple[int | None, int | None, str]


class UnknownSignalError(NotFoundError):
    def __init__(self, signal_id: int) -> None:
        super().__init__(f"シグナルが見つかりません: {signal_id}")
        self.signal_id = signal_id


def _check_label(label: str) -> None:
    if label not in FEEDBACK_LABELS:
        raise InvalidInputError(f"label must be one of {', '.join(FEEDBACK_LABELS)}")


def record_feedback(
    session: Session, signal_id: int, label: str, *, note: str | None = None, user: str | None = None
) -> SignalFeedback:
    """Confirm or dismiss the signal ``signal_id``; raises ``UnknownSignalError`` / ``InvalidInputError``."""
    _check_label(label)
    signal = session.get(CallSignalRow, signal_id)
    if signal is None:
        raise UnknownSignalError(signal_id)
    row = SignalFeedback(
        signal_id=signal_id,
        call_id=signal.call_id,
        segment_idx=signal.segment_idx,
        type=signal.type,
        text=signal.text,
        label=label,
        note=note,
        user=user,
        at=utcnow(),
    )
    session.add(row)
    session.flush()
    log.info("signal %s %sed by %s", signal_id, label.removesuffix("e"), user or "?")
    return row


def add_label(
    session: Session,
    signal_type: str,
    text: str,
    label: str,
    *,
    user: str | None = None,
    note: str | None = None,
    call_id: int | None = None,
    segment_idx: int | None = None,
) -> SignalFeedback:
    """A label on any utterance, e.g. one the signals missed (``confirm``) — it trains the model too."""
    _check_label(label)
    if signal_type not in SIGNAL_TYPES:
        raise InvalidInputError(f"type must be one of {', '.join(SIGNAL_TYPES)}")
    row = SignalFeedback(
        call_id=call_id,
        segment_idx=segment_idx,
        type=SignalType(signal_type),
        text=text,
        label=label,
        note=note,
        user=user,
        at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def _key(row: SignalFeedback) -> tuple[object, ...]:
    if row.call_id is not None and row.segment_idx is not None:
        return (row.call_id, row.segment_idx, row.type)
    return ("text", row.text, row.type)


def latest_labels(session: Session, signal_type: str | None = None) -> list[SignalFeedback]:
    """The latest label per (call, segment, type), or per (text, type) for labels without a call."""
    query = select(SignalFeedback).order_by(col(SignalFeedback.at), col(SignalFeedback.id))
    if signal_type is not None:
        query = query.where(SignalFeedback.type == signal_type)
    latest: dict[tuple[object, ...], SignalFeedback] = {}
    for row in session.exec(query).all():
        latest[_key(row)] = row
    return list(latest.values())


def labels_for_calls(session: Session, call_ids: Iterable[int]) -> dict[FeedbackKey, str]:
    """``{(call_id, segment_idx, type): latest label}`` for the given calls."""
    ids = list(set(call_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(SignalFeedback)
        .where(col(SignalFeedback.call_id).in_(ids))
        .order_by(col(SignalFeedback.at), col(SignalFeedback.id))
    ).all()
    return {(r.call_id, r.segment_idx, r.type): r.label for r in rows}
