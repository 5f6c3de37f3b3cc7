"""OpenAPI documentation of the problem+json error responses (the handlers are in api/problems.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"


class ProblemDetail(BaseModel):
    """RFC 9457 problem details; ``detail`` is written for people (Japanese, with English in brackets)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        default="about:blank",
        description="The kind, for programs: urn:voc:problem:not-found, conflict, gone, too-large, "
        "unsupported-media, invalid-input or unavailable; about:blank for plain HTTP errors "
        "(401, 403, 405…).",
    )
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="Validation errors (422 only).")


_DESCRIPTIONS = {
    400: "Bad request",
    401: "No API key, or an invalid or revoked one (`WWW-Authenticate: Bearer`)",
    403: "The key's role may not do this",
    404: "Not found",
    409: "Conflict with the current state",
    410: "Gone (deleted by the retention period)",
    413: "Request body too large",
    415: "Not an audio file",
    422: "Invalid input",
    503: "Not ready (a model or dictionary is missing)",
}

_SCHEMA = ProblemDetail.model_json_schema()


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for FastAPI: each code as ``application/problem+json`` with the problem schema."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        response: dict[str, Any] = {
            "description": _DESCRIPTIONS.get(code, "Error"),
            "content": {PROBLEM_JSON: {"schema": _SCHEMA}},
        }
        if code == 401:
            response["headers"] = {
                "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Always `Bearer`."}
            }
        out[code] = response
    return out


#: Every /api/v1 route can answer these.
COMMON = problems(401, 403, 422)


#: Integer ids fit the database's INTEGER (32-bit on PostgreSQL): larger ones are 422, not a driver error.
MAX_DB_INT = 2**31 - 1

#: A database id in the query string or the path (topic, model version…): 1 to INTEGER's maximum.
DbIdQuery = Annotated[int | None, Query(ge=1, le=MAX_DB_INT)]
DbIdPath = Annotated[int, Path(ge=1, le=MAX_DB_INT)]

#: The years a date filter may name: the database and Python's datetime both hold them in any zone.
MIN_YEAR, MAX_YEAR = 1900, 9000


def _bounded_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("日時にはタイムゾーンを付けてください (ISO 8601 with zone, e.g. +09:00)")
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"日時は {MIN_YEAR}年から{MAX_YEAR}年までです (year out of range)")
    return value.astimezone(UTC)


#: A date-time in the query string: with its zone, within MIN_YEAR..MAX_YEAR, else 422.
TimeQuery = Annotated[datetime, AfterValidator(_bounded_time)]

#: A customer id or a call reference in a URL: no control characters (PostgreSQL refuses NUL).
RefPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f]+$")]
