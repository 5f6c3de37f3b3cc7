"""Retrying a failed or dead-lettered call: the same lookup, checks and errors from ``voc calls retry`` and
the API (and so the web UI's retry button)."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from voc.calls.queries import find_call
from voc.calls.replay import replay_call
from voc.db.calls import Call
from voc.errors import ConflictError, NotFoundError


def retry_call(session: Session, ref: str, notify: Callable[[list[int]], None]) -> Call:
    """Queue the call ``ref`` (our id or the external id) again from the start and dispatch it; commits
    (``voc.pipeline.jobs`` does). ``NotFoundError`` for no such call, ``ConflictError`` unless it failed."""
    call = find_call(session, ref)
    if call is None or call.id is None:
        raise NotFoundError(f"通話が見つかりません: {ref} (no call {ref!r})")
    if not replay_call(session, call.id, notify):
        raise ConflictError(
            f"この通話は {call.status} です。失敗した通話だけ再処理できます (only failed or dead calls)"
        )
    session.refresh(call)
    return call
