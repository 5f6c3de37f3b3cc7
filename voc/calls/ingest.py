"""Registering an uploaded recording as a call, queued for the pipeline.

The same file twice is one call (its sha256 decides); an external id already used by another file
is a conflict, not a silent overwrite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from voc.audio_store import LocalAudioStore, StoredAudio
from voc.calls.linking import find_customer_pk
from voc.calls.metadata import MetadataRow
from voc.customers.phones import normalise_phone
from voc.db.calls import Call, CallCreate, CallStatusEvent
from voc.db.types import utcnow

log = logging.getLogger(__name__)

CHANNEL_LAYOUTS = ("stereo_operator_left", "stereo_operator_right", "mono")


class ExternalIdConflictError(ValueError):
    def __init__(self, external_id: str) -> None:
        super().__init__(f"通話ID {external_id} は別のファイルで登録済みです")
        self.external_id = external_id


@dataclass(frozen=True)
class Registered:
    call: Call
    created: bool


def register_call(
    session: Session,
    audio: StoredAudio,
    meta: CallCreate,
    *,
    original_filename: str | None = None,
) -> Registered:
    """Create the call row (status ``queued``) for stored audio, or return the existing one."""
    existing = session.exec(select(Call).where(Call.audio_sha256 == audio.sha256)).first()
    if existing is not None:
        return Registered(existing, created=False)
    if meta.external_id:
        taken = session.exec(select(Call.id).where(Call.external_id == meta.external_id)).first()
        if taken is not None:
            raise ExternalIdConflictError(meta.external_id)
    if meta.channel_layout not in CHANNEL_LAYOUTS:
        raise ValueError(f"channels must be one of {', '.join(CHANNEL_LAYOUTS)}")
    caller = normalise_phone(meta.caller_number) if meta.caller_number else None
    if meta.caller_number and caller is None:
        raise ValueError(f"発信者番号を解釈できません: {meta.caller_number!r}")
    call = Call(
        **meta.model_dump(exclude={"customer_id", "caller_number"}),
        caller_number=caller,
        audio_sha256=audio.sha256,
        audio_size=audio.size,
        original_filename=(original_filename or "")[-512:] or None,
        customer_pk=find_customer_pk(session, meta.customer_id, caller),
        status="queued",
    )
    try:
        with session.begin_nested():
            session.add(call)
            session.flush()
    except IntegrityError:
        # A concurrent upload of the same file won the race: that call is ours too.
        existing = session.exec(select(Call).where(Call.audio_sha256 == audio.sha256)).one()
        return Registered(existing, created=False)
    assert call.id is not None
    session.add(CallStatusEvent(call_id=call.id, status="queued", at=utcnow()))
    log.info("call %s registered (external id %s)", call.id, call.external_id)
    return Registered(call, created=True)


def ingest_files(
    session: Session,
    store: LocalAudioStore,
    files: Sequence[Path],
    metadata: Mapping[str, MetadataRow],
    *,
    default_layout: str,
    max_bytes: int,
    on_file: Callable[[Path], None] | None = None,
) -> list[int]:
    """Store and register many files, matching metadata rows by path or file name; returns call ids."""
    call_ids: list[int] = []
    for file in files:
        row = metadata.get(str(file)) or metadata.get(file.name)
        meta = row.meta if row else CallCreate(channel_layout=default_layout)
        stored = store.put_file(file, max_bytes=max_bytes)
        try:
            registered = register_call(session, stored, meta, original_filename=file.name)
            session.commit()
        except Exception as exc:
            session.rollback()
            raise IngestError(f"{file}: {exc}") from exc
        assert registered.call.id is not None
        call_ids.append(registered.call.id)
        if on_file is not None:
            on_file(file)
    return call_ids


class IngestError(ValueError):
    """A file that could not be registered; the message names it."""
