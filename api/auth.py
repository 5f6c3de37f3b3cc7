"""Authentication (API keys as ``Authorization: Bearer <key>``) and role checks for every /api/v1 route.

The key is checked by a middleware before the request body is read, so that nobody without a key can
stream an upload to disk; the role is checked per route by the ``require`` dependency. What each role may
do is decided in one table, ``PERMISSIONS``, which the routes and the route × role tests both read.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from api.problems import Problem, problem_response
from voc.runtime import Runtime
from voc.security.keys import Principal, authenticate, cached_principal
from voc.security.roles import ROLES, Role

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"

#: Who may do what. ``admin`` may do everything and is implied everywhere.
PERMISSIONS: dict[str, tuple[Role, ...]] = {
    "calls.upload": (Role.SUPERVISOR,),
    "calls.read": (Role.SUPERVISOR, Role.ANALYST),
    "calls.audio": (Role.SUPERVISOR, Role.ANALYST),
    "calls.delete": (),
    "customers.read": (Role.ANALYST, Role.INTEGRATION),
    "customers.write": (Role.INTEGRATION,),
    "customers.erase": (),
    "customers.follow_up": (Role.ANALYST, Role.INTEGRATION),
    "signals.read": (Role.ANALYST, Role.INTEGRATION),
    "signals.feedback": (Role.ANALYST,),
    "at_risk.read": (Role.ANALYST, Role.INTEGRATION),
    "topics.read": (Role.ANALYST,),
    "topics.write": (Role.ANALYST,),
    "exports.read": (Role.ANALYST,),
    "keys.manage": (),
    "webhooks.manage": (),
    "audit.read": (),
    "me.read": (Role.SUPERVISOR, Role.ANALYST, Role.INTEGRATION),
}

UNAUTHENTICATED = "APIキーが必要です。Authorization: Bearer <key> を付けてください (API key required)"
INVALID_KEY = "APIキーが無効か、失効しています (invalid or revoked API key)"

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `voc keys create --role ROLE` or POST /api/v1/keys: `Bearer voc_…`.",
)


def _token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def _authenticate(runtime: Runtime, token: str) -> Principal | None:
    with Session(runtime.engine, expire_on_commit=False) as session:
        principal = authenticate(session, token, cache=runtime.key_cache)
        session.commit()  # the key's last use
        return principal


async def _principal(runtime: Runtime, token: str) -> Principal | None:
    """From the process's key cache on the event loop (a dict look-up), else from the database in a
    worker thread (``voc.security.keys.KeyCache``: a revoked key is refused at once in this process)."""
    cached = cached_principal(runtime.key_cache, token)
    if cached is not None:
        return cached
    return await anyio.to_thread.run_sync(_authenticate, runtime, token)


class ApiKeyMiddleware:
    """Rejects /api/v1 requests without a valid key with 401 before the body is read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        token = _token(headers.get(b"authorization", b"").decode("latin-1"))
        principal = None
        if token is not None:
            try:
                principal = await _principal(scope["app"].state.runtime, token)
            except Exception:
                log.exception("API key check failed")
                detail = (
                    "認証を確認できません。しばらくしてから再試行してください (authentication unavailable)"
                )
                await problem_response(503, detail, instance=scope.get("path"))(scope, receive, send)
                return
        if principal is None:
            detail = UNAUTHENTICATED if token is None else INVALID_KEY
            await problem_response(401, detail, instance=scope.get("path"))(scope, receive, send)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


class Requirement:
    """The dependency behind ``require``: the caller's principal, if its role is allowed (else 401/403)."""

    def __init__(self, roles: tuple[Role, ...]) -> None:
        self.roles: tuple[Role, ...] = tuple(dict.fromkeys((*roles, Role.ADMIN)))

    # async: the middleware has already found the principal, so the role check needs no thread-pool hop.
    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        principal: Principal | None = getattr(request.state, "principal", None)
        if principal is None and credentials is not None:  # routes mounted outside the middleware
            principal = await _principal(request.app.state.runtime, credentials.credentials)
        if principal is None:
            raise Problem(401, UNAUTHENTICATED if credentials is None else INVALID_KEY)
        if principal.role not in self.roles:
            role, allowed = str(principal.role), ", ".join(self.roles)  # its value, not the member's repr
            raise Problem(403, f"この操作の権限がありません (role {role!r}; allowed: {allowed})")
        return principal


def require(*roles: Role) -> Any:
    """``Depends`` on a principal whose role is one of ``roles`` (or admin)."""
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
    return Depends(Requirement(roles))


def allow(permission: str) -> Any:
    """``require`` with the roles that ``PERMISSIONS`` gives ``permission``."""
    return require(*PERMISSIONS[permission])


def _requirements(dependant: Dependant) -> Iterator[Requirement]:
    for dep in dependant.dependencies:
        if isinstance(dep.call, Requirement):
            yield dep.call
        yield from _requirements(dep)


@dataclass(frozen=True)
class Operation:
    """An /api/v1 route as the app serves it, with its role check (``None``: unguarded)."""

    path: str
    methods: frozenset[str]
    requirement: Requirement | None


def api_operations(routes: Sequence[BaseRoute]) -> list[Operation]:
    """Every /api/v1 route of an app or router, included routers too."""
    ops = []
    for context in iter_route_contexts(routes):
        path = context.path_format or context.path or ""
        dependant = getattr(context, "dependant", None)
        if not path.startswith(API_PREFIX) or not isinstance(dependant, Dependant):
            continue
        found = next(_requirements(dependant), None)
        ops.append(Operation(path=path, methods=frozenset(context.methods or ()), requirement=found))
    return ops


def annotate_roles(router: APIRouter) -> APIRouter:
    """Note each route's roles in its OpenAPI (``x-roles`` and the description); call before including."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        requirement = next(_requirements(route.dependant), None)
        if requirement is None:
            continue
        route.openapi_extra = {**(route.openapi_extra or {}), "x-roles": [str(r) for r in requirement.roles]}
        note = f"Roles: {', '.join(requirement.roles)}."
        if note not in (route.description or ""):
            route.description = f"{route.description}\n\n{note}".strip()
    return router


def check_guarded(app: FastAPI) -> None:
    """Fail at start-up if an /api/v1 route has no role check."""
    for op in api_operations(app.routes):
        if op.requirement is None:
            raise RuntimeError(f"{sorted(op.methods)} {op.path} has no role check (api.auth.allow)")


#: Any valid key (``GET /api/v1/me``).
CurrentPrincipal = Annotated[Principal, Depends(Requirement(PERMISSIONS["me.read"]))]
