"""Registering an uploaded recording as a call, queued for the pipeline.

The same file twice is one call (its sha256 decides) unless it comes under a new external id: then it is
a new call sharing the stored audio. An external id already used by another file is a conflict, not a
silent overwrite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from voc.audio_store import LocalAudioStore, StoredAudio
from voc.calls.linking import find_customer_pk
from voc.calls.metadata import CHANNEL_LAYOUTS, MetadataFile
from voc.customers.phones import normalise_phone
from voc.db.calls import Call, CallCreate, CallStatus, CallStatusEvent
from voc.db.types import utcnow
from voc.errors import ConflictError, InvalidInputError, TooLargeError

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


@dataclass
class IngestResult:
    call_ids: list[int] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)  # files not registered, and why
    duplicates: list[tuple[Path, int]] = field(default_factory=list)  # already stored as that call
    shared: list[tuple[Path, int, int]] = field(default_factory=list)  # new call, audio of another call


def ingest_files(
    session: Session,
    store: LocalAudioStore,
    files: Sequence[Path],
    metadata: MetadataFile,
    *,
    default_layout: str,
    max_bytes: int,
    on_file: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Store and register many files, matching metadata rows by path or file name.

    A file named by a bad metadata row, or one that cannot be registered, is reported and the others go on:
    each file is committed on its own (the exception to the rule in ``voc.db``).
    """
    result = IngestResult()
    for file in files:
        try:
            if metadata.is_rejected(file):
                raise InvalidInputError("メタデータの行に誤りがあるため登録しません (bad metadata row)")
            row = metadata.get(file)
            meta = row.meta if row else CallCreate(channel_layout=default_layout)
            stored = store.put_file(file, max_bytes=max_bytes)
            try:
                registered = register_call(session, stored, meta, original_filename=file.name)
                session.commit()
            except Exception:
                session.rollback()
                raise
        except (ValueError, ConflictError, TooLargeError, OSError) as exc:
            result.errors.append((file, str(exc)))
        else:
            assert registered.call.id is not None
            result.call_ids.append(registered.call.id)
            if not registered.created:
                result.duplicates.append((file, registered.call.id))
            elif registered.shares_audio_with is not None:
                result.shared.append((file, registered.call.id, registered.shares_audio_with))
        if on_file is not None:
            on_file(file)
    return result
