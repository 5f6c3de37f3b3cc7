"""The hot read routes run on a small thread pool of their own in each serving process.

A sync route runs in anyio's default pool (40 threads). Under load a serving process then runs dozens of
reads at once, and the threads spend their time handing the GIL to each other: at 10 concurrent clients
one process used 4.1 ms of CPU per read instead of 2.3 ms (`voc bench api` notes). The work is CPU-bound
and there is one serving process per core, so a couple of threads per process is enough; the rest queue
on the event loop, where waiting costs nothing. Only the reads go through this pool
(``VOC_SERVER__READ_THREADS``): an upload, an import or an export keeps the default pool, so a long one
does not hold up the reads behind it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from sqlmodel import Session

from voc.runtime import Runtime
from voc.settings import ServerSettings

P = ParamSpec("P")
R = TypeVar("R")

#: For an app whose lifespan has not run: the setting's own default.
DEFAULT_THREADS: int = ServerSettings.model_fields["read_threads"].default


class _Pool:
    limiter: CapacityLimiter | None = None  # made inside the event loop (anyio needs one running)


def set_read_threads(threads: int) -> None:
    """The size of this process's read pool (from the settings, when the app starts)."""
    _Pool.limiter = CapacityLimiter(threads)


def _limiter() -> CapacityLimiter:
    if _Pool.limiter is None:  # an app whose lifespan has not run
        _Pool.limiter = CapacityLimiter(DEFAULT_THREADS)
    return _Pool.limiter


def read_route(route: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """A sync route function that FastAPI sees as async (with the same signature, via ``__wrapped__``)
    and that runs in the read pool."""

    @functools.wraps(route)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await anyio.to_thread.run_sync(functools.partial(route, *args, **kwargs), limiter=_limiter())

    return run


def read_session(rt: Runtime) -> Session:
    """The session of one read, opened and closed in the read's own thread (``with read_session(rt) as
    session``). Not a request dependency: FastAPI runs a generator dependency on the event loop, its
    set-up and exit took a tenth of a call read's CPU, and the exit hands the connection back there (on
    PostgreSQL a ROLLBACK round trip the loop waits for). On the runtime's read engine: on PostgreSQL
    without a transaction (``voc.db.engine.reads_engine``), so a read is its statements alone."""
    return Session(rt.read_engine, expire_on_commit=False)
