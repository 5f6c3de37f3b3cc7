"""OpenAPI documentation of the problem+json error responses (the handlers are in api/problems.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_JSON = "application/problem+json"


class ProblemDetail(BaseModel):
    """RFC 9457 problem details; ``detail`` is written for people (Japanese, with English in brackets)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank")
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

#: A customer id or a call reference in a URL: no control characters (PostgreSQL refuses NUL).
RefPath = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f]+$")]
