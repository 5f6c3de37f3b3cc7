"""Signals: list with filters, analysts' feedback, classifier quality, and the at-risk list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import select

from api.auth import allow
from api.cache import PAGES
from api.deps import RuntimeDep, SessionDep
from api.pagination import Page, decode_cursor, encode_cursor
from api.problems import Problem
from api.reads import read_route, read_session
from api.responses import JsonBody
from api.routes.errors import COMMON, MAX_DB_INT, TimeQuery, problems
from voc.assembly import signal_params
from voc.calls.queries import find_call
from voc.db.customers import Customer
from voc.db.signals import FeedbackLabel, SignalSource, SignalType
from voc.security.keys import Principal
from voc.signals.at_risk import at_risk
from voc.signals.feedback import record_feedback
from voc.signals.flags import on_call_linked
from voc.signals.store import SignalFilter, list_signals
from voc.signals.training import quality_report

router = APIRouter(prefix="/api/v1", tags=["signals"], responses=COMMON)


class SignalOut(BaseModel):
    id: int
    type: str
    score: float = Field(description="0–1; lower for a segment whose speaker is unknown.")
    speaker: str
    start: float = Field(description="Seconds from the start of the call.")
    end: float
    text: str = Field(description="The customer's words (redacted transcript).")
    segment: int = Field(description="Index of the segment in the transcript.")
    source: str = Field(
        description="baseline (rules) | detector (the shipped model) | model (classifier trained on feedback)"
    )
    rule: str | None = Field(description="The baseline rule that matched, if any.")
    matched: str | None
    feedback: str | None = Field(description="The latest analyst label: confirm | dismiss.")
    call_id: str = Field(description="The call's external id (ours when it has none).")
    customer_id: str | None
    at: datetime = Field(description="When the call took place.")


class FeedbackIn(BaseModel):
    label: FeedbackLabel
    note: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    id: int
    signal_id: int
    label: str
    note: str | None
    user: str | None
    at: datetime
    flags_raised: list[str] = Field(description="Customer flags raised by this label.")
    flags_cleared: list[str] = Field(description="Customer flags cleared by this label (a dismissal).")


class Metrics(BaseModel):
    precision: float
    recall: float
    f1: float


class SignalQuality(BaseModel):
    type: str
    labels: int
    confirmed: int
    dismissed: int
    baseline: Metrics | None = Field(description="The rules on the same held-out labels.")
    model: Metrics | None = Field(description="The classifier, cross-validated on the labels.")
    model_active: bool = Field(description="The model is used only when its F1 beats the baseline's.")
    trained_at: datetime | None


class Evidence(BaseModel):
    type: str
    call_id: str = Field(description="The call's external id.")
    start: float
    text: str
    signal_id: int = Field(description="For feedback: POST /api/v1/signals/{signal_id}/feedback.")
    call: int = Field(description="Our call id (GET /api/v1/calls/{call}).")


class AtRiskCustomer(BaseModel):
    customer_id: str
    name: str | None
    plan: str | None = None
    monthly_fee: float | None = None
    risk_score: float = Field(description="Recency-weighted evidence × the customer's value (median = 1).")
    health_score: int = Field(description="0–100: usage and tenure, and what they said.")
    flags: list[str]
    evidence: list[Evidence]


AT_RISK = JsonBody(list[AtRiskCustomer])


@router.get(
    "/signals",
    response_model=Page[SignalOut],
    summary="List signals, newest first",
    dependencies=[allow("signals.read")],
    responses=problems(404),
)
def get_signals(
    session: SessionDep,
    type: SignalType | None = None,
    customer_id: str | None = None,
    call: Annotated[str | None, Query(description="Call id: ours or the external id.")] = None,
    source: SignalSource | None = None,
    date_from: Annotated[TimeQuery | None, Query(description="Calls from (ISO 8601 with zone)")] = None,
    date_to: Annotated[TimeQuery | None, Query(description="Calls before (ISO 8601 with zone)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> Page[SignalOut]:
    for bound in (date_from, date_to):
        if bound is not None and bound.tzinfo is None:
            raise Problem(422, "日時にはタイムゾーンを付けてください (ISO 8601 with zone)")
    customer_pk = call_pk = None
    if customer_id:
        customer_pk = session.exec(select(Customer.id).where(Customer.customer_id == customer_id)).first()
        if customer_pk is None:
            raise Problem(404, f"顧客が見つかりません: {customer_id}")
    if call:
        found = find_call(session, call)
        if found is None:
            raise Problem(404, f"通話が見つかりません: {call}")
        call_pk = found.id
    after = decode_cursor(cursor)
    before_id = after.get("id") if after else None
    if before_id is not None and (not isinstance(before_id, int) or not 0 < before_id <= MAX_DB_INT):
        raise Problem(422, "cursor が正しくありません (invalid cursor)")
    filters = SignalFilter(
        type=type,
        customer_pk=customer_pk,
        call_id=call_pk,
        source=source,
        date_from=date_from,
        date_to=date_to,
    )
    items, next_id = list_signals(session, filters, limit=limit, before_id=before_id)
    return Page[SignalOut](
        items=[SignalOut.model_validate(i) for i in items],
        next_cursor=encode_cursor({"id": next_id}) if next_id is not None else None,
    )


@router.get(
    "/signals/quality",
    response_model=list[SignalQuality],
    summary="Rules vs trained model: held-out precision and recall per signal",
    dependencies=[allow("signals.read")],
)
def get_quality(session: SessionDep) -> list[SignalQuality]:
    return [SignalQuality.model_validate(q) for q in quality_report(session)]


@router.post(
    "/signals/{signal_id}/feedback",
    status_code=201,
    response_model=FeedbackOut,
    summary="Confirm or dismiss a signal (dismissed signals no longer count towards flags)",
    responses=problems(404),
)
def post_feedback(
    signal_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    body: FeedbackIn,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("signals.feedback")],
) -> FeedbackOut:
    row = record_feedback(session, signal_id, body.label, note=body.note, user=principal.name)
    assert row.id is not None and row.call_id is not None
    changes = on_call_linked(session, row.call_id, signal_params(rt.settings))
    session.commit()
    return FeedbackOut(
        id=row.id,
        signal_id=signal_id,
        label=row.label,
        note=row.note,
        user=row.user,
        at=row.at,
        flags_raised=changes.raised,
        flags_cleared=changes.cleared,
    )


@router.get(
    "/at-risk",
    response_model=list[AtRiskCustomer],
    summary="Customers to call back, highest risk first, with the evidence",
    dependencies=[allow("at_risk.read")],
)
@read_route
def get_at_risk(
    request: Request, rt: RuntimeDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> Response:
    with read_session(rt) as session:
        kept = PAGES.lookup(request, rt, session)  # kept per data version (api.cache)
        if kept.hit is not None:
            return kept.hit.response(request)
        listed = at_risk(session, limit)
    # The assessments are read by attribute and serialised once (api.responses): no document is built
    # per customer and evidence first (dataclasses.asdict: half of the route's time).
    return kept.store(AT_RISK.response(listed)).response(request)
