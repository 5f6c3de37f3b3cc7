"""Customers: upsert one / a batch / a CRM CSV, read one with its calls."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Query, Request, Response, UploadFile
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field
from sqlmodel import select

from api.auth import allow
from api.cache import PAGES
from api.deps import RuntimeDep, SessionDep
from api.problems import Problem
from api.reads import read_route, read_session
from api.responses import JsonBody
from api.routes.errors import COMMON, MAX_DB_INT, RefPath, problems
from voc.assembly import signal_params
from voc.audit.log import record
from voc.customers.followup import set_follow_up
from voc.customers.listing import CustomerQuery, CustomerSort, FollowUpFilter, customers_csv, list_customers
from voc.customers.page import customer_page
from voc.customers.records import to_public, upsert_customer, upsert_many
from voc.customers.refresh import refresh_after_records_changed
from voc.db.customers import Customer, CustomerCreate, CustomerPublic, FollowUpState
from voc.db.types import IsoDateTime, IsoTimestamp
from voc.privacy.erasure import erase_customer
from voc.security.keys import Principal
from voc.services import customer_import

router = APIRouter(prefix="/api/v1/customers", tags=["customers"], responses=COMMON)

CUSTOMER_EXAMPLES: dict[str, Any] = {
    "new": {
        "summary": "A customer from the CRM",
        "value": {
            "customer_id": "C100",
            "name": "山田商店",
            "phones": ["03-5678-9012", "090-1234-5678"],
            "plan": "プレミアム",
            "monthly_fee": 9800,
            "usage_rate": 0.35,
            "tenure_months": 24,
            "status": "active",
            "attributes": {"segment": "SMB", "owner": "営業2課"},
        },
    },
    "churned": {
        "summary": "A customer who left",
        "value": {"customer_id": "C101", "status": "churned", "churned_at": "2026-10-31T00:00:00+09:00"},
    },
}


class ImportResult(BaseModel):
    created: int
    updated: int
    errors: list[dict[str, Any]] = Field(default_factory=list, description="{line, reason} per rejected row")
    linked_calls: int = 0


def _refresh(session: SessionDep, rt: RuntimeDep) -> list[int]:
    """Link waiting calls and recompute every customer's flags (usage percentiles moved)."""
    params = signal_params(rt.settings)
    return refresh_after_records_changed(session, params).linked_calls


class ErasureResult(BaseModel):
    erasure_id: str = Field(description="The audit log's reference to this erasure (the only trace left).")
    calls: int
    audio_files: int
    phones: int
    webhook_deliveries: int
    other_rows: int
    audit_entries_detached: int


class FollowUpOut(BaseModel):
    state: FollowUpState
    by: str = Field(description="The name of the API key that recorded it.")
    at: datetime


class CustomerListItem(BaseModel):
    customer_id: str
    name: str | None
    plan: str | None
    monthly_fee: float | None
    usage_rate: float | None
    tenure_months: int | None
    risk_score: float
    health_score: int | float
    flags: list[str]
    evidence: list[dict[str, Any]]
    follow_up: FollowUpOut | None


class CustomerEvidence(BaseModel):
    type: str
    call_id: str = Field(description="The call's external id (ours when it has none).")
    segment: int
    start: float
    end: float | None
    text: str
    matched: str | None
    signal_id: int = Field(description="For feedback: POST /api/v1/signals/{signal_id}/feedback.")
    call: int = Field(description="Our call id (GET /api/v1/calls/{call}).")


class FlagEventOut(BaseModel):
    flag: str
    event: str = Field(description="raised | cleared")
    at: IsoTimestamp


class CustomerCall(BaseModel):
    id: int
    external_id: str | None
    started_at: IsoDateTime | None
    status: str
    duration: float | None


class CustomerDetail(CustomerPublic):
    risk_score: float | None
    health_score: int | float | None
    flags: list[str]
    evidence: list[CustomerEvidence]
    flag_history: list[FlagEventOut] = Field(description="Newest first.")
    calls: list[CustomerCall] = Field(description="Newest first.")


class CustomerList(BaseModel):
    items: list[CustomerListItem]
    total: int = Field(description="Customers matching the filters (all pages).")
    next_offset: int | None


# The read routes a CRM polls serialise their own responses (api.responses: once, in the route's thread).
CUSTOMER_LIST = JsonBody(CustomerList)
CUSTOMER_DETAIL = JsonBody(CustomerDetail)


@router.get(
    "",
    response_model=CustomerList,
    summary="List customers: search by name, id or phone; sort by risk, fee or health; pages; CSV export",
    dependencies=[allow("customers.read")],
    responses={200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
)
@read_route
def list_customers_route(
    request: Request,
    rt: RuntimeDep,
    q: Annotated[
        str | None, Query(max_length=128, description="Part of the name or customer id, or a phone number")
    ] = None,
    sort: CustomerSort = CustomerSort.RISK,
    order: Literal["desc", "asc"] = "desc",
    flagged: Annotated[
        bool, Query(description="Only customers with a flag in force (the at-risk list)")
    ] = False,
    follow_up: Annotated[
        FollowUpFilter | None, Query(description="none: not contacted yet; contacted; done")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
    format: Literal["json", "csv"] = "json",
) -> Any:
    if q is not None and "\x00" in q:
        raise Problem(422, "q に使えない文字があります (NUL)")
    query = CustomerQuery(
        q=q,
        sort=sort,
        descending=order == "desc",
        flagged_only=flagged,
        follow_up=follow_up,
        offset=0 if format == "csv" else offset,
        limit=None if format == "csv" else limit,
    )
    with read_session(rt) as session:
        # The first page of JSON, as a CRM polls it, is kept per data version (api.cache).
        kept = PAGES.lookup(request, rt, session, cacheable=format == "json" and offset == 0)
        if kept.hit is not None:
            return kept.hit.response(request)
        page = list_customers(session, query, signal_params(rt.settings))
    if format == "csv":
        return PlainTextResponse(
            customers_csv(page.items),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
        )
    more = offset + limit < page.total
    # A plain document, validated and serialised once (api.responses), not built as models first.
    body = CUSTOMER_LIST.response(
        {
            "items": [item.as_dict() for item in page.items],
            "total": page.total,
            "next_offset": offset + limit if more else None,
        }
    )
    return kept.store(body).response(request)


class FollowUpIn(BaseModel):
    state: FollowUpState | None = Field(description="contacted, done, or null to clear it")


@router.put(
    "/{customer_id}/follow-up",
    response_model=FollowUpOut | None,
    summary="Mark a customer contacted or done (who and when are recorded), or clear it",
    responses=problems(404),
)
def put_follow_up(
    customer_id: RefPath,
    body: FollowUpIn,
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, allow("customers.follow_up")],
) -> FollowUpOut | None:
    customer = session.exec(select(Customer).where(Customer.customer_id == customer_id)).first()
    if customer is None:
        raise Problem(404, f"顧客が見つかりません: {customer_id}")
    done = set_follow_up(session, customer, body.state, by_name=principal.name, by_key_id=principal.key_id)
    record(
        session,
        "customer.follow_up",
        "customer",
        customer_id,
        actor=principal,
        ip=request.client.host if request.client else None,
        detail={"state": body.state.value if body.state else None},
    )
    session.commit()
    return FollowUpOut.model_validate(done.as_dict()) if done else None


@router.put(
    "/{customer_id}",
    response_model=CustomerPublic,
    summary="Create or update one customer",
    dependencies=[allow("customers.write")],
)
def put_customer(
    customer_id: RefPath,
    body: Annotated[CustomerCreate, Body(openapi_examples=CUSTOMER_EXAMPLES)],
    session: SessionDep,
    rt: RuntimeDep,
) -> CustomerPublic:
    if body.customer_id != customer_id:
        raise Problem(422, "URL と本文の customer_id が一致しません (customer_id mismatch)")
    customer, _ = upsert_customer(session, body)
    _refresh(session, rt)
    session.commit()
    return to_public(session, customer)


@router.post(
    "/batch",
    response_model=ImportResult,
    summary="Upsert many customers at once (idempotent)",
    dependencies=[allow("customers.write")],
)
def batch_upsert(body: list[CustomerCreate], session: SessionDep, rt: RuntimeDep) -> ImportResult:
    report = upsert_many(session, body)  # a bad record raises InvalidInputError: nothing is committed
    linked = _refresh(session, rt)
    session.commit()
    return ImportResult(created=report.created, updated=report.updated, linked_calls=len(linked))


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Import a CRM CSV (bad rows reported by line)",
    responses=problems(413),
)
def import_customers(
    file: Annotated[UploadFile, File()],
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("customers.write")],
) -> ImportResult:
    """UTF-8 (with or without BOM) or Shift_JIS / CP932, as Excel saves it; the same import as
    `voc customers import`."""
    done = customer_import.import_customers(
        session,
        file.file.read(),
        signal_params(rt.settings),
        actor=principal,
        ip=request.client.host if request.client else None,
    )
    session.commit()
    return ImportResult(
        created=done.created,
        updated=done.updated,
        linked_calls=len(done.linked_calls),
        errors=[{"line": line, "reason": reason} for line, reason in done.errors],
    )


@router.get(
    "/{customer_id}",
    response_model=CustomerDetail,
    summary="One customer: record, risk and health, flags with evidence, and the timeline of calls",
    dependencies=[allow("customers.read")],
    responses=problems(404),
)
@read_route
def get_customer(customer_id: RefPath, rt: RuntimeDep) -> Response:
    with read_session(rt) as session:
        page = customer_page(session, customer_id, signal_params(rt.settings))
    if page is None:
        raise Problem(404, f"顧客が見つかりません: {customer_id}")
    return CUSTOMER_DETAIL.response(page)


@router.delete(
    "/{customer_id}",
    response_model=ErasureResult,
    summary="Erase a customer: their calls, transcripts, signals, audio and phone numbers (APPI)",
    responses=problems(404),
)
def erase(
    customer_id: RefPath,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    principal: Annotated[Principal, allow("customers.erase")],
) -> ErasureResult:
    """Irreversible. One audit entry without personal data records who erased, when and from where."""
    report = erase_customer(
        session, rt.store, customer_id, actor=principal, ip=request.client.host if request.client else None
    )
    session.commit()
    return ErasureResult(**report.as_dict())
