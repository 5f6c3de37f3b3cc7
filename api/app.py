"""The FastAPI application factory. Nothing heavy happens at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.limits import BodySizeLimitMiddleware
from api.problems import install_problem_handlers
from api.routes import calls, customers, health
from voc import __version__
from voc.runtime import Runtime
from voc.settings import Settings

DESCRIPTION = """
Voice of customer for Japanese contact centers: upload call recordings, read role-labelled transcripts,
churn and dissatisfaction signals with their evidence, and topic reports.

Errors are RFC 9457 problem details (`application/problem+json`) with a Japanese `detail`.
"""


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the app. Tests pass a ``runtime``; entry points pass the settings they read."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = runtime is None
        rt = runtime or Runtime.from_settings(settings or Settings(), migrate=True)
        app.state.runtime = rt
        try:
            yield
        finally:
            if owned:
                rt.close()

    effective = runtime.settings if runtime is not None else (settings or Settings())
    app = FastAPI(title="voc", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=(effective.max_upload_mb << 20) + (1 << 16))
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(calls.router)
    app.include_router(customers.router)
    return app
