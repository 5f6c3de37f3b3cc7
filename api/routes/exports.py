"""Exports (CSV / JSON) of calls with their signals and topics; every export is audited (APPI)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from api.auth import allow
from api.deps import SessionDep
from api.problems import Problem
from api.routes.errors import COMMON, TimeQuery
from voc.audit.log import record
from voc.exports import ExportedCall, calls_csv, export_calls
from voc.security.keys import Principal

router = APIRouter(prefix="/api/v1/exports", tags=["exports"], responses=COMMON)


@router.get(
    "/calls",
    summary="Calls with signals (evidence) and topic, as CSV or JSON",
    response_model=list[ExportedCall],
    responses={200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
)
def export_calls_route(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("exports.read")],
    format: Literal["csv", "json"] = "json",
    started_from: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    started_to: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    transcript: Annotated[bool, Query(description="Include the (redacted) transcript, JSON only")] = False,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 10_000,
) -> Response:
    for bound in (started_from, started_to):
        if bound is not None and bound.tzinfo is None:
            raise Problem(422, "日時にはタイムゾーンを付けてください (ISO 8601 with zone)")
    docs = export_calls(
        session, started_from=started_from, started_to=started_to, with_transcript=transcript, limit=limit
    )
    record(
        session, "export", "calls", None, actor=principal,
        ip=request.client.host if request.client else None,
        detail={"format": format, "rows": len(docs), "transcript": transcript},
    )  # fmt: skip
    session.commit()
    if format == "csv":
        return PlainTextResponse(
            calls_csv(docs), media_type="text/csv",
            headers={"Content-Disposition": "attachment; filename=calls.csv"},
        )  # fmt: skip
    return JSONResponse(docs)
