"""The FastAPI application factory. Nothing heavy happens at import time."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import func
from sqlmodel import Session, col, select

from api.auth import ApiKeyMiddleware, annotate_roles, check_guarded
from api.limits import BodySizeLimitMiddleware
from api.problems import install_problem_handlers
from api.reads import set_read_threads
from api.routes import audit, calls, customers, exports, health, keys, me, signals, topics, ui, webhooks
from voc import __version__
from voc.assembly import build_runtime, load_settings
from voc.db.security import ApiKey
from voc.runtime import Runtime
from voc.settings import Settings

log = logging.getLogger(__name__)

DOCS_ASSETS = "/docs-assets"

DESCRIPTION = """
Voice of customer for Japanese contact centers: upload call recordings, read role-labelled transcripts,
churn and dissatisfaction signals with their evidence, and topic reports.

Errors are RFC 9457 problem details (`application/problem+json`) with a Japanese `detail`.

Every `/api/v1` route needs an API key (`Authorization: Bearer voc_…`); each key has one role
(supervisor, analyst, integration, admin) and each route lists the roles it allows (`x-roles`).
"""


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Tests pass a ``runtime``; entry points pass the settings they read (or none: then
    they are read here, once). The runtime is assembled by ``voc.assembly`` when the app starts."""
    effective = runtime.settings if runtime is not None else (settings or load_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        rt = runtime or build_runtime(effective, migrate=True)
        app.state.runtime = rt
        set_read_threads(rt.settings.server.read_threads)
        if owned:
            _first_start(rt)
            # What start-up made (modules, the app, the runtime) lives as long as the process: out of
            # the collector's sight, a full collection no longer walks ~240k objects (about 90 ms, a
            # pause for every request in flight in this process). Only where this process owns it all:
            # a test's apps come and go.
            gc.freeze()
        try:
            yield
        finally:
            if owned:
                rt.close()

    # Swagger UI and ReDoc from the assets fastapi-offline ships: /docs works with no network.
    app = FastAPIOffline(
        title="voc",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        static_url=DOCS_ASSETS,
        favicon_url="/ui/assets/favicon.svg",
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=(effective.max_upload_mb << 20) + (1 << 16))
    app.add_middleware(ApiKeyMiddleware)  # outermost: no key, no body read
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(ui.router)
    app.include_router(annotate_roles(me.router))
    for module in (calls, customers, keys, webhooks, audit, signals, topics, exports):
        app.include_router(annotate_roles(module.router))
    check_guarded(app)
    return app


def _first_start(rt: Runtime) -> None:
    """Without any API key nobody could use the API: say how to make one (never a secret in a log line).

    ``voc serve`` creates the first admin key before the app starts and prints it on the terminal.
    """
    with Session(rt.engine) as session:
        active = session.exec(
            select(func.count()).select_from(ApiKey).where(col(ApiKey.revoked_at).is_(None))
        ).one()
    if not active:
        log.warning("no API key exists: create one with `voc keys create --role admin`")
