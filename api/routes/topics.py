"""Topics: list, report, rename, refit; KWIC search and the co-occurrence network."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field

from api.auth import allow
from api.deps import RuntimeDep, SessionDep
from api.problems import Problem
from api.routes.errors import COMMON, MAX_DB_INT, DbIdPath, DbIdQuery, problems
from voc.db.topics import TopicPublic
from voc.nlp.toolkit import TextToolkit
from voc.search.kwic import KwicHit, kwic
from voc.topics.network import Network, cooccurrence_network, to_svg
from voc.topics.reports import (
    TopicReport,
    TopicsSummary,
    assigned_calls,
    report_csv,
    resolve_version,
    topic_report,
    topics_summary,
)
from voc.topics.service import TopicParams, call_documents, refit, rename_topic

router = APIRouter(prefix="/api/v1", tags=["topics"], responses=COMMON)


class TopicRename(BaseModel):
    name: str = Field(min_length=1, max_length=256, examples=["料金への不満"])


class RefitResult(BaseModel):
    model_version: int = Field(description="The new, now active, model version.")
    n_topics: int
    n_docs: int = Field(description="Analysed calls the model was fitted on.")


def _toolkit(rt: RuntimeDep) -> TextToolkit:
    try:
        return rt.toolkit()
    except FileNotFoundError as exc:
        raise Problem(503, f"辞書が準備されていません: {exc}") from exc


@router.get(
    "/topics",
    response_model=TopicsSummary,
    summary="Topics with labels, terms, share and calls",
    dependencies=[allow("topics.read")],
)
def list_topics(session: SessionDep, version: DbIdQuery = None) -> TopicsSummary:
    return topics_summary(session, version)


@router.get(
    "/topics/report",
    response_model=TopicReport,
    responses={200: {"content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
    summary="Shares over time, emerging topics, segments, signals, churn",
    dependencies=[allow("topics.read")],
)
def get_report(
    session: SessionDep,
    period: Literal["week", "month"] = "week",
    version: DbIdQuery = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    report = topic_report(session, version_id=version, period=period)
    if format == "json":
        return JSONResponse(report)
    return PlainTextResponse(
        report_csv(report),
        media_type="text/csv",
        headers={"Content-Disposition": "attachment; filename=topics.csv"},
    )


@router.patch(
    "/topics/{topic_id}",
    response_model=TopicPublic,
    summary="Rename a topic (the name survives refits)",
    dependencies=[allow("topics.write")],
    responses=problems(404),
)
def patch_topic(topic_id: DbIdPath, body: TopicRename, session: SessionDep) -> TopicPublic:
    topic = rename_topic(session, topic_id, body.name)
    session.commit()
    return TopicPublic.model_validate(topic, from_attributes=True)


@router.post(
    "/topics/refit",
    response_model=RefitResult,
    summary="Fit a new topic model version now",
    dependencies=[allow("topics.write")],
    responses=problems(409),
)
def post_refit(session: SessionDep, rt: RuntimeDep) -> RefitResult:
    settings = rt.settings.topics
    version = refit(
        session, TopicParams(n_topics=settings.n_topics, min_calls_to_fit=settings.min_calls_to_fit)
    )
    if version is None:
        raise Problem(409, f"分析済みの通話が足りません (need {settings.min_calls_to_fit} calls)")
    session.commit()
    assert version.id is not None
    return RefitResult(model_version=version.id, n_topics=version.n_topics, n_docs=version.n_docs)


def _docs_for(session: SessionDep, topic: int | None, version: int | None) -> list[list[str]]:
    v = resolve_version(session, version)
    if v is None or v.id is None:
        return []
    calls = [c.call_id for c in assigned_calls(session, v.id) if topic is None or c.topic == topic]
    return list(call_documents(session, calls).values())


@router.get(
    "/topics/network",
    response_model=Network,
    responses={200: {"content": {"application/json": {}, "image/svg+xml": {"schema": {"type": "string"}}}}},
    summary="Co-occurrence network (KH Coder style) as JSON or SVG",
    dependencies=[allow("topics.read")],
)
def get_network(
    session: SessionDep,
    topic: Annotated[
        int | None, Query(ge=0, le=MAX_DB_INT, description="Only calls of this topic index.")
    ] = None,
    version: DbIdQuery = None,
    top_edges: Annotated[int, Query(ge=1, le=300)] = 60,
    min_freq: Annotated[int, Query(ge=1, le=1000)] = 2,
    format: Literal["json", "svg"] = "json",
) -> Response:
    network = cooccurrence_network(_docs_for(session, topic, version), min_freq=min_freq, top_edges=top_edges)
    if format == "svg":
        return Response(to_svg(network), media_type="image/svg+xml")
    return JSONResponse(network)


@router.get(
    "/search",
    response_model=list[KwicHit],
    summary="KWIC: a word or phrase in context across transcripts",
    dependencies=[allow("calls.read")],
    responses=problems(503),
)
def search(
    session: SessionDep,
    rt: RuntimeDep,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    speaker: Literal["operator", "customer", "unknown"] | None = None,
    width: Annotated[int, Query(ge=1, le=100)] = 20,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[KwicHit]:
    return kwic(session, q, _toolkit(rt).tokenizer, speaker=speaker, width=width, limit=limit)
