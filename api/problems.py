"""RFC 9457 problem details (``application/problem+json``) for every error a client can hit."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from voc.errors import (
    ConflictError,
    GoneError,
    InvalidInputError,
    NotFoundError,
    TooLargeError,
    UnavailableError,
    UnsupportedMediaError,
    VocError,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

#: The HTTP status of each kind of library error (its problem ``type`` is the kind's URI).
ERROR_STATUS: dict[type[VocError], int] = {
    NotFoundError: 404,
    ConflictError: 409,
    GoneError: 410,
    TooLargeError: 413,
    UnsupportedMediaError: 415,
    InvalidInputError: 422,
    UnavailableError: 503,
}


#: The kind a status stands for, when the error was not raised as a library kind (a route's own 404…).
STATUS_TYPE = {status: kind.type_uri() for kind, status in ERROR_STATUS.items()}


def error_status(exc: VocError) -> int:
    """The status of the nearest mapped kind in the error's class hierarchy; 500 for an unmapped kind."""
    for kind in type(exc).__mro__:
        if kind in ERROR_STATUS:
            return ERROR_STATUS[kind]
    return 500


class Problem(Exception):  # noqa: N818 (RFC 9457 calls it a problem)
    """Raise from a route: becomes a problem+json response with a Japanese-friendly ``detail``."""

    def __init__(self, status: int, detail: str, *, type_: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.extra = extra


def problem_response(
    status: int, detail: str, *, instance: str | None = None, type_: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ or STATUS_TYPE.get(status, "about:blank"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status, exc.detail, instance=request.url.path, type_=exc.type, **exc.extra
        )

    @app.exception_handler(VocError)
    async def _voc_error(request: Request, exc: VocError) -> JSONResponse:
        status = error_status(exc)
        if status == 500:
            log.error("unmapped error kind on %s: %r", request.url.path, exc)
        return problem_response(status, str(exc), instance=request.url.path, type_=exc.type_uri())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = "指定されたURLは存在しません (not found)"
        if exc.status_code == 405:
            detail = "このURLではこのメソッドは使えません (method not allowed)"
        return problem_response(exc.status_code, detail, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        detail = f"入力が正しくありません: {'.'.join(first['loc'])}: {first['msg']}"
        return problem_response(422, detail, instance=request.url.path, errors=errors)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem_response(
            500, "サーバー内部でエラーが発生しました (internal error)", instance=request.url.path
        )
