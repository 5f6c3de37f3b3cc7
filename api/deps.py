"""Request dependencies: the runtime built in the lifespan and a database session per request.

Both are ``async``: FastAPI runs a sync dependency in the thread pool, a hop (and a wait for a free thread
under load) per dependency per request. Neither blocks: the session connects on its first query, which
the (sync) route makes in its own thread; closing it only hands the connection back to the pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from voc.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


async def get_session(rt: Annotated[Runtime, Depends(get_runtime)]) -> AsyncIterator[Session]:
    with Session(rt.engine, expire_on_commit=False) as session:
        yield session


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SessionDep = Annotated[Session, Depends(get_session)]
