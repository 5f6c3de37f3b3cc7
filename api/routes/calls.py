"""Calls: upload (202 + status URL), list with filters, detail, transcript, audio with ranges, delete."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlmodel import select

from api.auth import allow
from api.cache import PAGES
from api.deps import RuntimeDep, SessionDep
from api.pagination import Page, decode_cursor, encode_cursor
from api.problems import Problem
from api.reads import read_route, read_session
from api.responses import JsonBody, plain_twin
from api.routes.errors import COMMON, RefPath, TimeQuery, problems
from voc.assembly import signal_params
from voc.audit.log import record
from voc.calls.deletion import delete_call
from voc.calls.metadata import make_meta, parse_metadata
from voc.calls.queries import (
    CallDetail,
    CallListQuery,
    call_document,
    customer_ref,
    find_call,
    our_id,
    segments_of,
)
from voc.calls.queries import list_calls as call_list
from voc.calls.sniff import sniff_audio
from voc.csvfiles import decode_csv
from voc.db.calls import Call, CallPublic, SegmentPublic
from voc.db.customers import Customer
from voc.db.topics import Topic
from voc.security.keys import Principal
from voc.services import retry as retries
from voc.services.uploads import add_recording

router = APIRouter(prefix="/api/v1/calls", tags=["calls"], responses=COMMON)

# The read routes a UI polls serialise their own responses (api.responses: once, in the route's thread).
CallRow = plain_twin(CallPublic)
CALL_PAGE = JsonBody(Page[CallRow])  # type: ignore[valid-type]  # a class made at run time
CALL_DETAIL = JsonBody(CallDetail)


class CallAccepted(BaseModel):
    id: int
    external_id: str | None
    status: str
    status_url: str
    duplicate: bool = Field(
        description="The same file (and external id) was already uploaded: this is that call."
    )
    shares_audio_with: int | None = Field(
        default=None,
        description="A new call for a recording another call has (the same file under a new call_id).",
    )


def _public(session: SessionDep, call: Call) -> CallPublic:
    return CallPublic(**call.model_dump(), customer_id=customer_ref(session, call))


def _not_found(ref: str) -> Problem:
    return Problem(404, f"通話が見つかりません: {ref}")


def _get_call(session: SessionDep, ref: str) -> Call:
    call = find_call(session, ref)
    if call is None:
        raise _not_found(ref)
    return call


@router.post(
    "",
    status_code=202,
    response_model=CallAccepted,
    summary="Upload a recording",
    responses=problems(404, 409, 413, 415),
)
def upload_call(
    principal: Annotated[Principal, allow("calls.upload")],
    request: Request,
    response: Response,
    rt: RuntimeDep,
    session: SessionDep,
    file: Annotated[UploadFile, File(description="The recording: wav, flac, mp3, m4a, ogg/opus…")],
    call_id: Annotated[str | None, Form(description="Your own id for the call (external id).")] = None,
    agent: Annotated[str | None, Form()] = None,
    started_at: Annotated[str | None, Form(description="ISO 8601; without a zone, JST.")] = None,
    channels: Annotated[
        str | None,
        Form(
            description="stereo (the configured layout) | stereo_operator_left | stereo_operator_right | mono"
        ),
    ] = None,
    customer_id: Annotated[str | None, Form()] = None,
    caller_number: Annotated[str | None, Form()] = None,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> CallAccepted:
    """Store the file and queue it; processing happens in the workers.

    The same file twice is one call (`duplicate`), unless it comes under a new `call_id`: then it is a new
    call sharing the stored recording (`shares_audio_with` names the first call that has it).
    """
    meta = make_meta(
        call_id=call_id,
        agent=agent,
        started_at=started_at,
        channels=channels,
        customer_id=customer_id,
        caller_number=caller_number,
        default_layout=rt.settings.asr.default_layout,
    )
    registered = add_recording(
        session,
        rt.store,
        file.file,
        meta,
        filename=file.filename,
        max_bytes=rt.settings.max_upload_mb << 20,
        notify=rt.dispatcher.notify,
        idempotency_key=idempotency_key,
        actor=principal,
        ip=request.client.host if request.client else None,
    )
    return _accepted(
        request,
        response,
        registered.call,
        duplicate=not registered.created,
        shares_audio_with=registered.shares_audio_with,
    )


def _accepted(
    request: Request,
    response: Response,
    call: Call,
    *,
    duplicate: bool,
    shares_audio_with: int | None = None,
) -> CallAccepted:
    assert call.id is not None
    url = str(request.url_for("get_call", ref=str(call.id)))
    response.headers["Location"] = url
    return CallAccepted(
        id=call.id,
        external_id=call.external_id,
        status=call.status,
        status_url=url,
        duplicate=duplicate,
        shares_audio_with=shares_audio_with,
    )


class MetadataRowOut(BaseModel):
    line: int
    file: str
    call_id: str | None = None
    agent: str | None = None
    started_at: datetime | None = None
    channels: str
    customer_id: str | None = None
    caller_number: str | None = None


class MetadataCheck(BaseModel):
    rows: list[MetadataRowOut]
    errors: list[dict[str, Any]] = Field(description="{line, reason} per rejected row")


@router.post(
    "/metadata",
    response_model=MetadataCheck,
    summary="Read an upload metadata CSV (UTF-8 or Shift_JIS): its good rows and every bad row by line",
    dependencies=[allow("calls.upload")],
    responses=problems(413),
)
def check_metadata(file: Annotated[UploadFile, File()], rt: RuntimeDep) -> MetadataCheck:
    """What the web UI reads before uploading: the same reader as `voc calls ingest --metadata`."""
    parsed = parse_metadata(decode_csv(file.file.read()), rt.settings.asr.default_layout)
    rows = {id(r): r for r in parsed.rows.values()}.values()  # each row once (also keyed by base name)
    return MetadataCheck(
        rows=[
            MetadataRowOut(
                line=r.line,
                file=r.file,
                call_id=r.meta.external_id,
                agent=r.meta.agent,
                started_at=r.meta.started_at,
                channels=r.meta.channel_layout,
                customer_id=r.meta.customer_id,
                caller_number=r.meta.caller_number,
            )
            for r in sorted(rows, key=lambda r: r.line)
        ],
        errors=[{"line": line, "reason": reason} for line, reason in parsed.errors],
    )


@router.get(
    "",
    response_model=Page[CallPublic],
    summary="List calls (newest first by default) with filters and cursor pagination",
    dependencies=[allow("calls.read")],
    responses=problems(404),
)
@read_route
def list_calls(
    request: Request,
    rt: RuntimeDep,
    status: str | None = None,
    agent: str | None = None,
    customer_id: str | None = None,
    started_from: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    started_to: Annotated[TimeQuery | None, Query(description="ISO 8601 with zone")] = None,
    signal: Annotated[str | None, Query(description="Only calls with this signal type")] = None,
    topic: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only calls in this topic (its id)")
    ] = None,
    sort: Annotated[
        Literal["newest", "oldest"], Query(description="By call time (started_at, else upload)")
    ] = "newest",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Response:
    with read_session(rt) as session:
        # The first page, as a CRM polls it, is kept per data version (api.cache); later pages are read.
        kept = PAGES.lookup(request, rt, session, cacheable=cursor is None)
        if kept.hit is not None:
            return kept.hit.response(request)
        customer_pk = None
        if customer_id:
            customer_pk = session.exec(select(Customer.id).where(Customer.customer_id == customer_id)).first()
            if customer_pk is None:
                raise Problem(404, f"顧客が見つかりません: {customer_id}")
        for bound in (started_from, started_to):
            if bound is not None and bound.tzinfo is None:
                raise Problem(422, "日時にはタイムゾーンを付けてください (ISO 8601 with zone)")
        chosen = None
        if topic is not None:
            chosen = session.get(Topic, topic)
            if chosen is None:
                raise Problem(404, f"トピックが見つかりません: {topic}")
        query = CallListQuery(
            newest=sort == "newest",
            status=status or None,
            agent=agent or None,
            customer_pk=customer_pk,
            started_from=started_from,
            started_to=started_to,
            signal=signal or None,
            topic=(chosen.version_id, chosen.index) if chosen is not None else None,
            after=_after(decode_cursor(cursor)),
            limit=limit + 1,
        )
        items = call_list(session, query)
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if items else None
    next_cursor = (
        encode_cursor({"id": last["id"], "t": (last["started_at"] or last["created_at"]).isoformat()})
        if more and last is not None
        else None
    )
    return kept.store(CALL_PAGE.response({"items": items, "next_cursor": next_cursor})).response(request)


def _after(cursor: dict[str, Any] | None) -> tuple[datetime, int] | None:
    """The cursor's (call time, id) of the last call shown; 422 for one we did not write."""
    if cursor is None:
        return None
    after_id, after_time = cursor.get("id"), cursor.get("t")
    if not isinstance(after_id, int) or isinstance(after_id, bool) or not isinstance(after_time, str):
        raise Problem(422, "cursor が正しくありません (invalid cursor)")
    try:
        at = datetime.fromisoformat(after_time)
    except ValueError as exc:
        raise Problem(422, "cursor が正しくありません (invalid cursor)") from exc
    if at.tzinfo is None:
        raise Problem(422, "cursor が正しくありません (invalid cursor)")
    return at, after_id


@router.get(
    "/{ref}",
    response_model=CallDetail,
    summary="One call with its transcript, metrics and signals",
    dependencies=[allow("calls.read")],
    responses=problems(404),
)
@read_route
def get_call(ref: RefPath, rt: RuntimeDep) -> Response:
    with read_session(rt) as session:
        detail = call_document(session, ref=ref, pk=our_id(ref))
    if detail is None:
        raise _not_found(ref)
    return CALL_DETAIL.response(detail)


@router.get(
    "/{ref}/transcript",
    response_model=list[SegmentPublic],
    summary="The role-labelled transcript",
    dependencies=[allow("calls.read")],
    responses=problems(404),
)
def get_transcript(ref: RefPath, session: SessionDep) -> list[SegmentPublic]:
    call = _get_call(session, ref)
    assert call.id is not None
    return [SegmentPublic.model_validate(s, from_attributes=True) for s in segments_of(session, call.id)]


@router.get(
    "/{ref}/audio",
    summary="The original recording (supports HTTP Range); every play or download is audited",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The audio file",
            "content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        206: {
            "description": "The requested byte range",
            "content": {"audio/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problems(404, 410, 416),
    },
)
def get_audio(
    ref: RefPath,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("calls.audio")],
    download: Annotated[bool, Query(description="Save as a file instead of playing it.")] = False,
) -> FileResponse:
    call = _get_call(session, ref)
    path = rt.store.path_for(call.audio_sha256)
    if not path.is_file():
        raise Problem(410, "音声は保存期間を過ぎたため削除されました (audio no longer retained)")
    media = {
        "wav": "audio/wav",
        "flac": "audio/flac",
        "mp3": "audio/mpeg",
        "ogg": "audio/ogg",
        "mp4": "audio/mp4",
        "webm": "audio/webm",
    }
    with path.open("rb") as handle:
        kind = sniff_audio(handle.read(64)) or ""
    # A player asks for many ranges while it plays: one entry when playing (or downloading) starts.
    range_header = request.headers.get("range", "")
    if not range_header or range_header.replace(" ", "").startswith("bytes=0-"):
        action = "audio.download" if download else "audio.play"
        record(session, action, "call", call.id, actor=principal, ip=_client_ip(request))
        session.commit()
    return FileResponse(
        path,
        media_type=media.get(kind, "application/octet-stream"),
        filename=f"call-{call.id}.{kind or 'bin'}",
        content_disposition_type="attachment" if download else "inline",
    )


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.delete(
    "/{ref}",
    status_code=204,
    summary="Delete a call, its transcript, signals and audio",
    responses=problems(404),
)
def remove_call(
    ref: RefPath,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("calls.delete")],
) -> Response:
    call = _get_call(session, ref)
    call_id = call.id
    delete_call(session, rt.store, call, params=signal_params(rt.settings))  # its evidence leaves the flags
    record(session, "call.delete", "call", call_id, actor=principal, ip=_client_ip(request))
    session.commit()
    return Response(status_code=204)


@router.post(
    "/{ref}/retry",
    response_model=CallAccepted,
    status_code=202,
    summary="Replay a failed or dead-lettered call from the start",
    dependencies=[allow("calls.upload")],
    responses=problems(404, 409),
)
def retry_call(
    ref: RefPath, request: Request, response: Response, session: SessionDep, rt: RuntimeDep
) -> CallAccepted:
    """Queued again and dispatched at once, exactly as `voc calls retry` (with a broker: its task is sent)."""
    call = retries.retry_call(session, ref, rt.dispatcher.notify)
    return _accepted(request, response, call, duplicate=False)
