"""The audit log (admin): who played, downloaded, exported or deleted what, when and from where."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth import allow
from api.deps import SessionDep
from api.pagination import Page, decode_cursor, encode_cursor
from api.problems import Problem
from api.routes.errors import COMMON, MAX_DB_INT, TimeQuery
from voc.audit.log import query
from voc.db.audit import AuditEntryPublic

router = APIRouter(prefix="/api/v1/audit", tags=["audit"], responses=COMMON)


@router.get(
    "",
    response_model=Page[AuditEntryPublic],
    summary="Audit log entries, newest first",
    dependencies=[allow("audit.read")],
)
def get_audit(
    session: SessionDep,
    action: Annotated[str | None, Query(description="e.g. audio.play, call.delete, customer.erase")] = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    key_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    since: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    until: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> Page[AuditEntryPublic]:
    for bound in (since, until):
        if bound is not None and bound.tzinfo is None:
            raise Problem(422, "日時にはタイムゾーンを付けてください (ISO 8601 with zone)")
    after = decode_cursor(cursor)
    before_id = after.get("id") if after else None
    if after is not None and (not isinstance(before_id, int) or isinstance(before_id, bool)):
        raise Problem(422, "cursor が正しくありません (invalid cursor)")
    entries = query(
        session,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        key_id=key_id,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit + 1,
    )
    more = len(entries) > limit
    entries = entries[:limit]
    return Page[AuditEntryPublic](
        items=[AuditEntryPublic.model_validate(e, from_attributes=True) for e in entries],
        next_cursor=encode_cursor({"id": entries[-1].id}) if more and entries else None,
    )
