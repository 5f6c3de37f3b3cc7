"""A worker: claims calls from the database and runs the pipeline on them, one at a time.

Several workers (threads, processes or machines) can share one database; the lease in
``voc.pipeline.jobs`` keeps two of them from processing the same call at once.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from voc.db.calls import CallStatus
from voc.db.types import utcnow
from voc.db.workers import WorkerHeartbeat
from voc.pipeline import jobs

log = logging.getLogger(__name__)

HEARTBEAT_STALE_S = 30.0


class PermanentError(Exception):
    """The input itself is bad (not audio, too long…): retrying cannot help."""


Reporter = Callable[[str, float], None]

#: What a worker tells its supervisor: ``("ready", None)`` once it takes calls, ``("claimed", call_id)``,
#: ``("finished", call_id)``.
Notify = Callable[[str, int | None], None]


class CallProcessor(Protocol):
    def __call__(self, call_id: int, report: Reporter) -> None:
        """Process one call; results replace earlier ones, so running twice is harmless."""


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    def __init__(
        self,
        engine: Engine,
        processor: CallProcessor,
        *,
        worker_id: str | None = None,
        lease_s: float = 600.0,
        max_attempts: int = 3,
        poll_interval_s: float = 1.0,
        backoff_s: float = 30.0,
    ) -> None:
        self.engine = engine
        self.processor = processor
        self.worker_id = worker_id or new_worker_id()
        self.lease_s = lease_s
        self.max_attempts = max_attempts
        self.poll_interval_s = poll_interval_s
        self.backoff_s = backoff_s

    def heartbeat(self) -> None:
        heartbeat(self.engine, self.worker_id)

    def sign_off(self) -> None:
        sign_off(self.engine, self.worker_id)

    def run_once(self) -> bool:
        """Process one call if there is one; ``False`` when the queue is empty."""
        with Session(self.engine) as session:
            claim = jobs.claim_next(
                session, self.worker_id, lease_s=self.lease_s, max_attempts=self.max_attempts
            )
        if claim is None:
            return False
        self._process(claim)
        return True

    def _process(self, claim: jobs.Claim) -> str:
        return process_claim(
            self.engine,
            self.processor,
            self.worker_id,
            claim,
            lease_s=self.lease_s,
            max_attempts=self.max_attempts,
            backoff_s=self.backoff_s,
        )

    def run(
        self,
        stop: threading.Event,
        *,
        until_empty: bool = False,
        max_calls: int | None = None,
        notify: Notify | None = None,
    ) -> None:
        """Work until ``stop`` is set (or, with ``until_empty``, until nothing is claimable; with
        ``max_calls``, until that many calls were processed: the supervisor then starts a fresh process,
        which returns the memory a long-lived one accumulates)."""
        log.info("worker %s started", self.worker_id)
        done = 0
        try:
            self.heartbeat()
            if notify is not None:
                notify("ready", None)
            while not stop.is_set() and (max_calls is None or done < max_calls):
                self.heartbeat()
                with Session(self.engine) as session:
                    claim = jobs.claim_next(
                        session, self.worker_id, lease_s=self.lease_s, max_attempts=self.max_attempts
                    )
                if claim is None:
                    if until_empty:
                        return
                    stop.wait(self.poll_interval_s)
                    continue
                if notify is not None:
                    notify("claimed", claim.call_id)
                self._process(claim)
                done += 1
                if notify is not None:
                    notify("finished", claim.call_id)
            if max_calls is not None and done >= max_calls:
                log.info("worker %s recycled after %d calls", self.worker_id, done)
        finally:
            self.sign_off()


def heartbeat(engine: Engine, worker_id: str) -> None:
    """Announce that ``worker_id`` is alive (``voc calls ingest --wait`` looks for live workers)."""
    with Session(engine) as session:
        beat = session.get(WorkerHeartbeat, worker_id)
        if beat is None:
            beat = WorkerHeartbeat(worker_id=worker_id, hostname=socket.gethostname(), pid=os.getpid())
        beat.heartbeat_at = utcnow()
        session.add(beat)
        session.commit()


def sign_off(engine: Engine, worker_id: str) -> None:
    with Session(engine) as session:
        session.exec(delete(WorkerHeartbeat).where(col(WorkerHeartbeat.worker_id) == worker_id))
        session.commit()


def process_claim(
    engine: Engine,
    processor: CallProcessor,
    worker_id: str,
    claim: jobs.Claim,
    *,
    lease_s: float,
    max_attempts: int,
    backoff_s: float,
) -> str:
    """Run the processor on a claimed call and record the outcome; every worker kind goes through here.

    Returns the call's status afterwards: ``done``, ``queued`` (a retry after the backoff), ``failed``,
    ``dead``, or ``lost`` when another worker took the lease over (it then owns the outcome).
    """

    def report(status: str, progress: float) -> None:
        heartbeat(engine, worker_id)
        with Session(engine) as session:
            jobs.set_stage(session, claim.call_id, worker_id, CallStatus(status), progress, lease_s=lease_s)

    try:
        processor(claim.call_id, report)
        with Session(engine) as session:
            jobs.complete(session, claim.call_id, worker_id)
        return CallStatus.DONE
    except jobs.LeaseLostError:
        log.warning("call %s: lease lost, leaving it to its new owner", claim.call_id)
        return "lost"
    except Exception as exc:
        retryable = not isinstance(exc, PermanentError)
        if retryable:
            log.exception("call %s failed", claim.call_id)
        with Session(engine) as session:
            try:
                return jobs.fail(
                    session,
                    claim.call_id,
                    worker_id,
                    str(exc) or type(exc).__name__,
                    retryable=retryable,
                    attempt=claim.attempt,
                    max_attempts=max_attempts,
                    backoff_s=backoff_s,
                )
            except jobs.LeaseLostError:
                log.warning("call %s: lease lost while recording a failure", claim.call_id)
                return "lost"


def live_workers(engine: Engine, stale_after_s: float = HEARTBEAT_STALE_S) -> list[str]:
    cutoff = utcnow() - timedelta(seconds=stale_after_s)
    with Session(engine) as session:
        return list(
            session.exec(
                select(WorkerHeartbeat.worker_id).where(WorkerHeartbeat.heartbeat_at >= cutoff)
            ).all()
        )


def stop_when_parent_exits(stop: threading.Event, working: threading.Event | None = None) -> None:
    """A worker must not outlive the ``voc serve`` (or ``voc calls ingest --wait``) that started it, even
    one killed with SIGKILL: finish the call in hand, then stop. Until ``working`` is set (the process
    is still importing and loading, seconds on a busy machine) it holds nothing and exits at once."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        if working is not None and not working.is_set():
            log.info("parent process %s exited while this worker was starting; exiting", parent.pid)
            os._exit(0)
        log.info("parent process %s exited; stopping after the current call", parent.pid)
        stop.set()

    threading.Thread(target=watch, name="voc-parent-watch", daemon=True).start()
