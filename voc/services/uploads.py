"""Adding recordings: the one path for ``voc calls ingest`` (files on disk) and the API upload (a body).

Both hand over a readable binary stream and the call's metadata. The first bytes decide whether it is
audio at all (never the file name); the rest streams into the store, which gives up past the size
limit before anything is kept (so the API can answer 413 while the body is still streaming); the call is
registered and committed, or the file is removed again when no call points to it; the workers are told.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from voc.audio_store import CHUNK, AudioStore
from voc.audit.log import record
from voc.calls.ingest import Registered, register_call
from voc.calls.metadata import MetadataFile
from voc.calls.sniff import sniff_audio
from voc.db.calls import Call, CallCreate
from voc.errors import InvalidInputError, UnsupportedMediaError, VocError
from voc.security.keys import Principal

#: Enough of the head for every signature ``sniff_audio`` knows.
SNIFF_BYTES = 64

Notify = Callable[[list[int]], None]
UPLOAD_ACTION = "call.upload"


def check_audio(head: bytes) -> str:
    """The audio family of a file by its first bytes; a typed error for an empty or non-audio file."""
    if not head:
        raise InvalidInputError("ファイルが空です (empty file)")
    kind = sniff_audio(head)
    if kind is None:
        raise UnsupportedMediaError("音声ファイルではありません (unsupported or non-audio content)")
    return kind


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def add_recording(
    session: Session,
    store: AudioStore,
    source: BinaryIO,
    meta: CallCreate,
    *,
    filename: str | None,
    max_bytes: int,
    notify: Notify,
    idempotency_key: str | None = None,
    actor: Principal | None = None,
    ip: str | None = None,
) -> Registered:
    """Store and register one recording, then dispatch it; commits (see ``voc.db``). A new call gets an
    audit entry ``call.upload`` in the same transaction (``actor`` ``None``: the command line); a repeat
    of a recording already stored adds nothing.

    A request repeated with the same ``idempotency_key`` is the call it made. Raises
    ``UnsupportedMediaError``, ``InvalidInputError``, ``TooLargeError``, ``NotFoundError`` (unknown
    customer) or ``ConflictError`` (external id of another file); nothing is left stored after an error.
    """
    if idempotency_key:
        earlier = session.exec(select(Call).where(Call.idempotency_key == idempotency_key)).first()
        if earlier is not None:
            return Registered(earlier, created=False)
    head = source.read(SNIFF_BYTES)
    check_audio(head)
    stored = store.put(itertools.chain([head], _chunks(source)), max_bytes=max_bytes)
    try:
        registered = register_call(session, stored, meta, original_filename=filename)
        if registered.created and idempotency_key:
            registered.call.idempotency_key = idempotency_key
            session.add(registered.call)
        if registered.created:
            # No file name in the entry: recorders put phone numbers in them, and erasure keeps entries.
            detail = {"bytes": stored.size, "shares_audio_with": registered.shares_audio_with}
            record(session, UPLOAD_ACTION, "call", registered.call.id, actor=actor, ip=ip, detail=detail)
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        if not session.exec(select(Call.id).where(Call.audio_sha256 == stored.sha256)).first():
            store.delete(stored.sha256)  # nothing half-stored: no call, no file
    if registered.created and registered.call.id is not None:
        notify([registered.call.id])
    return registered


@dataclass
class IngestResult:
    call_ids: list[int] = field(default_factory=list)
    errors: list[tuple[Path, str]] = field(default_factory=list)  # files not registered, and why
    duplicates: list[tuple[Path, int]] = field(default_factory=list)  # already stored as that call
    shared: list[tuple[Path, int, int]] = field(default_factory=list)  # new call, audio of another call


def ingest_files(
    session: Session,
    store: AudioStore,
    files: Sequence[Path],
    metadata: MetadataFile,
    *,
    default_layout: str,
    max_bytes: int,
    notify: Notify,
    on_file: Callable[[Path], None] | None = None,
) -> IngestResult:
    """Add many files with ``add_recording``, matching metadata rows by path or file name.

    A file named by a bad metadata row, or one that cannot be added, is reported and the others go on:
    each file is committed on its own, so that one bad file does not undo the others.
    """
    result = IngestResult()
    for file in files:
        try:
            if metadata.is_rejected(file):
                raise InvalidInputError("メタデータの行に誤りがあるため登録しません (bad metadata row)")
            row = metadata.get(file)
            meta = row.meta if row else CallCreate(channel_layout=default_layout)
            with file.open("rb") as source:
                registered = add_recording(
                    session, store, source, meta, filename=file.name, max_bytes=max_bytes, notify=notify
                )
        except (VocError, ValueError, OSError) as exc:
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
