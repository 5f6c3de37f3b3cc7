"""Registering an uploaded recording as a call, queued for the pipeline.

The same file twice is one call (its sha256 decides) unless it comes under a new external id: then it is
a new call sharing the stored audio. An external id already used by another file is a conflict, not a
silent overwrite.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from voc.audio_store import StoredAudio
from voc.calls.linking import find_customer_pk
from voc.calls.metadata import CHANNEL_LAYOUTS
from voc.customers.phones import normalise_phone
from voc.db.calls import Call, CallCreate, CallStatus, CallStatusEvent
from voc.db.types import utcnow
from voc.errors import ConflictError, InvalidInputError

log = logging.getLogger(__name__)


class ExternalIdConflictError(ConflictError):
    def __init__(self, external_id: str) -> None:
        super().__init__(f"通話ID {external_id} は別のファイルで登録済みです")
        self.external_id = external_id


@dataclass(frozen=True)
class Registered:
    call: Call
    created: bool
    shares_audio_with: int | None = None  # a new call for a recording another call already has


def register_call(
    session: Session,
    audio: StoredAudio,
    meta: CallCreate,
    *,
    original_filename: str | None = None,
) -> Registered:
    """Create the call row (status ``queued``) for stored audio, or return the existing one.

    The same file again without an external id, or under the same one, is the existing call. Under a new
    external id it is a new call that shares the stored audio (a CRM re-sending one recording for two
    cases must get two calls, not have its id dropped).
    """
    same_audio = session.exec(
        select(Call).where(Call.audio_sha256 == audio.sha256).order_by(col(Call.id))
    ).all()
    if meta.external_id:
        for existing in same_audio:
            if existing.external_id == meta.external_id:
                return Registered(existing, created=False)
        taken = session.exec(select(Call.id).where(Call.external_id == meta.external_id)).first()
        if taken is not None:
            raise ExternalIdConflictError(meta.external_id)
    elif same_audio:
        return Registered(same_audio[0], created=False)
    if meta.channel_layout not in CHANNEL_LAYOUTS:
        raise InvalidInputError(f"channels は {', '.join(CHANNEL_LAYOUTS)} のいずれかです")
    caller = normalise_phone(meta.caller_number) if meta.caller_number else None
    if meta.caller_number and caller is None:
        raise InvalidInputError(f"発信者番号を解釈できません: {meta.caller_number!r}")
    call = Call(
        **meta.model_dump(exclude={"customer_id", "caller_number"}),
        caller_number=caller,
        audio_sha256=audio.sha256,
        audio_size=audio.size,
        original_filename=(original_filename or "")[-512:] or None,
        customer_pk=find_customer_pk(session, meta.customer_id, caller),
        status=CallStatus.QUEUED,
    )
    try:
        with session.begin_nested():
            session.add(call)
            session.flush()
    except IntegrityError:
        # A concurrent upload won the race: the same file (and id) is that call; another file under
        # this external id is a conflict.
        query = select(Call).where(Call.audio_sha256 == audio.sha256)
        query = query.where(
            Call.external_id == meta.external_id if meta.external_id else col(Call.external_id).is_(None)
        )
        winner = session.exec(query).first()
        if winner is None:
            raise ExternalIdConflictError(meta.external_id or "") from None
        return Registered(winner, created=False)
    assert call.id is not None
    session.add(CallStatusEvent(call_id=call.id, status=CallStatus.QUEUED, at=utcnow()))
    shared = same_audio[0].id if same_audio else None
    if shared is not None:
        log.info(
            "call %s registered (external id %s), sharing the audio of call %s",
            call.id,
            call.external_id,
            shared,
        )
    else:
        log.info("call %s registered (external id %s)", call.id, call.external_id)
    return Registered(call, created=True, shares_audio_with=shared)
