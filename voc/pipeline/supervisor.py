"""The supervisor: keeps the configured number of worker processes alive on this machine.

``voc serve`` (embedded workers) and ``voc worker`` (database queue) run one. It waits on the processes'
sentinels, so a death (SIGKILL, the out-of-memory killer, a crash in native code) is noticed at once, not
at the next poll. It then logs why the process ended, releases the calls that process held (they are
claimable at once instead of after their lease; the death counts as an attempt, so a file that kills its
worker every time ends in the dead letter rather than in a restart loop), removes its heartbeat, and
starts a new process after a backoff that grows while processes die without finishing a call.

Each process gets its worker id from the supervisor (the lease owner it will write), and tells it over a
pipe when it is ready and which call it holds. The supervisor refreshes the heartbeats of its live
processes (a long stage does not make a busy worker look dead), records itself in ``worker_supervisors``
(wanted, alive, restarts, the last death) for ``/readyz`` and ``voc calls list``, and SIGKILLs a process
whose memory (with its children) passes ``memory_limit_bytes``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.db.types import utcnow
from voc.pipeline import jobs
from voc.pipeline.liveness import forget_supervisor, record_supervisor
from voc.pipeline.proctree import describe_exit, kill_tree, memory_watch_available, tree_rss_bytes
from voc.pipeline.worker import new_worker_id, sign_off

log = logging.getLogger(__name__)

#: Runs in the new process: ``target(worker_id, connection_to_the_supervisor)``. Must be picklable (a
#: module-level function, or a ``functools.partial`` of one): processes are spawned, not forked.
WorkerTarget = Callable[[str, Connection], None]

MEMORY_CHECK_S = 0.5
STABLE_AFTER_S = 60.0


@dataclass(frozen=True)
class SupervisorPolicy:
    processes: int
    max_attempts: int = 3
    restart_backoff_s: float = 0.5
    restart_backoff_max_s: float = 30.0
    memory_limit_bytes: int | None = None
    heartbeat_s: float = 5.0
    stop_timeout_s: float = 10.0
    #: Processes that exit normally are not replaced (``voc worker --burst``: the queue is empty).
    burst: bool = False


@dataclass(frozen=True)
class WorkerExit:
    worker_id: str
    pid: int
    reason: str
    call_id: int | None
    released: list[int]
    at: float  # time.monotonic()
    restart_in_s: float | None


@dataclass
class _Slot:
    index: int
    generation: int = 0
    proc: BaseProcess | None = None
    conn: Connection | None = None
    worker_id: str = ""
    started_at: float = 0.0
    ready: bool = False
    call_id: int | None = None
    failures: int = 0  # deaths since this slot's last finished call
    restart_at: float | None = 0.0  # None: not to be started again
    kill_reason: str | None = None


class Supervisor:
    def __init__(
        self,
        engine: Engine,
        target: WorkerTarget,
        policy: SupervisorPolicy,
        *,
        supervisor_id: str | None = None,
    ) -> None:
        self.engine = engine
        self.target = target
        self.policy = policy
        self.supervisor_id = supervisor_id or new_worker_id()
        self.exits: list[WorkerExit] = []
        self.restarts = 0
        self._last_exit: tuple[str, datetime] | None = None
        self._context = multiprocessing.get_context("spawn")
        self._slots = [_Slot(i) for i in range(policy.processes)]
        self._stopping = threading.Event()
        self._wake_r, self._wake_w = self._context.Pipe(duplex=False)
        self._thread: threading.Thread | None = None
        self._memory_watch = policy.memory_limit_bytes is not None and memory_watch_available()
        if policy.memory_limit_bytes is not None and not self._memory_watch:
            log.warning("no /proc on this system: the per-worker memory limit cannot be watched")

    # -- control, from any thread ------------------------------------------------------------------
    def start(self) -> Supervisor:
        """Supervise in a background thread (``voc serve``: the main thread serves HTTP)."""
        self._thread = threading.Thread(target=self.run, name="voc-supervisor", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL after ``stop_timeout_s``) and hand back its call."""
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_w.send_bytes(b"stop")
        if self._thread is not None:
            self._thread.join(timeout=self.policy.stop_timeout_s + 15)

    def pids(self) -> dict[str, int]:
        """Worker id → pid of every live process (started, whether or not it is ready)."""
        return {
            s.worker_id: s.proc.pid
            for s in self._slots
            if s.proc is not None and s.proc.pid is not None and s.proc.is_alive()
        }

    def alive_count(self) -> int:
        """Live processes, ready or still starting (a restart counts as soon as it is started)."""
        return len(self.pids())

    def ready_count(self) -> int:
        """Live processes that announced they take calls."""
        return sum(1 for s in self._slots if s.proc is not None and s.ready and s.proc.is_alive())

    # -- the loop ----------------------------------------------------------------------------------
    def run(self) -> None:
        log.info("supervisor %s keeps %d worker process(es) alive", self.supervisor_id, self.policy.processes)
        try:
            self._loop()
        finally:
            self._shutdown()

    def _loop(self) -> None:
        next_beat = next_memory = 0.0
        while not self._stopping.is_set():
            now = time.monotonic()
            for slot in self._slots:
                if slot.proc is None and slot.restart_at is not None and slot.restart_at <= now:
                    try:
                        self._spawn(slot)
                    except OSError:  # out of processes or descriptors: try again later, never give up
                        slot.failures += 1
                        slot.restart_at = now + self.policy.restart_backoff_max_s
                        log.exception("could not start worker process %d", slot.index)
            if all(s.proc is None and s.restart_at is None for s in self._slots):
                return  # burst: every process finished the queue
            if now >= next_memory:
                next_memory = now + MEMORY_CHECK_S
                self._watch_memory()
            if now >= next_beat:
                next_beat = now + self.policy.heartbeat_s
                self._beat()
            live = [s for s in self._slots if s.proc is not None]
            waits: list[Connection | int] = [self._wake_r]
            waits += [s.proc.sentinel for s in live if s.proc is not None]
            waits += [s.conn for s in live if s.conn is not None]
            due = [s.restart_at for s in self._slots if s.proc is None and s.restart_at is not None]
            wake_at = min([next_beat, next_memory if self._memory_watch else next_beat, *due])
            for ready in wait(waits, timeout=max(0.0, wake_at - time.monotonic())):
                if ready is self._wake_r:
                    with contextlib.suppress(EOFError, OSError):
                        self._wake_r.recv_bytes()
                    continue
                for slot in live:
                    if slot.conn is not None and ready is slot.conn:
                        self._read(slot)
                    elif slot.proc is not None and ready == slot.proc.sentinel:
                        self._reap(slot)

    def _spawn(self, slot: _Slot) -> None:
        slot.generation += 1
        slot.worker_id = f"{self.supervisor_id}/w{slot.index}.{slot.generation}"
        reader, writer = self._context.Pipe(duplex=False)
        proc = self._context.Process(
            target=self.target, args=(slot.worker_id, writer), name=f"voc-worker-{slot.index}", daemon=True
        )
        proc.start()
        writer.close()  # the child holds the other end: EOF here once it is gone
        slot.proc, slot.conn, slot.started_at = proc, reader, time.monotonic()
        slot.ready, slot.call_id, slot.kill_reason, slot.restart_at = False, None, None, None
        log.info("worker %s started (pid %s)", slot.worker_id, proc.pid)

    def _read(self, slot: _Slot) -> None:
        assert slot.conn is not None
        try:
            while slot.conn.poll():
                event, call_id = slot.conn.recv()
                if event == "ready":
                    slot.ready = True
                    self._beat()
                elif event == "claimed":
                    slot.call_id = call_id
                elif event == "finished":
                    slot.call_id, slot.failures = None, 0
        except (EOFError, OSError):
            slot.conn.close()
            slot.conn = None

    def _reap(self, slot: _Slot) -> None:
        proc = slot.proc
        assert proc is not None
        proc.join(timeout=1)
        if slot.conn is not None:
            self._read(slot)  # the last messages it sent (the call it was on)
        pid, code = proc.pid or 0, proc.exitcode
        normal = code == 0 and slot.kill_reason is None
        reason = slot.kill_reason or describe_exit(code)
        released = self._release(
            slot, f"worker {slot.worker_id} (pid {pid}) {reason}", count_attempt=not normal
        )
        if slot.conn is not None:
            slot.conn.close()
        slot.proc, slot.conn, slot.ready = None, None, False
        if normal:  # recycled after its calls, or done with the queue (burst)
            restart_in: float | None = None if self.policy.burst else 0.0
            log.info("worker %s (pid %d) exited normally", slot.worker_id, pid)
        else:
            if time.monotonic() - slot.started_at >= STABLE_AFTER_S:
                slot.failures = 0  # it had been running fine: not a crash loop
            slot.failures += 1
            restart_in = min(
                self.policy.restart_backoff_max_s, self.policy.restart_backoff_s * 2 ** (slot.failures - 1)
            )
            log.warning(
                "worker %s (pid %d) %s%s; %s restarting in %.1f s",
                slot.worker_id,
                pid,
                reason,
                f" while on call {slot.call_id}" if slot.call_id is not None else "",
                f"call(s) {released} released;" if released else "",
                restart_in,
            )
        if restart_in is not None and not self._stopping.is_set():
            self.restarts += 1
            slot.restart_at = time.monotonic() + restart_in
        self.exits.append(
            WorkerExit(slot.worker_id, pid, reason, slot.call_id, released, time.monotonic(), restart_in)
        )
        if not normal:
            self._last_exit = (f"pid {pid} {reason}", utcnow())
        self._beat()

    def _release(self, slot: _Slot, reason: str, *, count_attempt: bool) -> list[int]:
        """The dead process's calls back to the queue, its heartbeat gone; a database error is logged
        (the leases then expire as before) and never stops the supervisor."""
        try:
            with Session(self.engine) as session:
                released = jobs.release_owner(
                    session,
                    slot.worker_id,
                    reason,
                    count_attempt=count_attempt,
                    max_attempts=self.policy.max_attempts,
                )
            sign_off(self.engine, slot.worker_id)
            return released
        except Exception:
            log.exception("could not release the calls of %s", slot.worker_id)
            return []

    def _watch_memory(self) -> None:
        limit = self.policy.memory_limit_bytes
        if limit is None or not self._memory_watch:
            return
        for slot in self._slots:
            if slot.proc is None or slot.proc.pid is None or slot.kill_reason is not None:
                continue
            rss = tree_rss_bytes(slot.proc.pid)
            if rss > limit:
                slot.kill_reason = (
                    f"stopped: it used {rss / 2**20:.0f} MiB, over the per-worker memory limit of "
                    f"{limit / 2**20:.0f} MiB"
                )
                log.error("worker %s %s", slot.worker_id, slot.kill_reason)
                kill_tree(slot.proc.pid)

    def _beat(self) -> None:
        """Refresh the live processes' heartbeats and this supervisor's row."""
        ready = [s.worker_id for s in self._slots if s.proc is not None and s.ready]
        try:
            record_supervisor(
                self.engine,
                self.supervisor_id,
                ready=ready,
                desired=self.policy.processes,
                restarts=self.restarts,
                last_exit=self._last_exit,
            )
        except Exception:
            log.exception("supervisor heartbeat failed; trying again in %.0f s", self.policy.heartbeat_s)

    def _shutdown(self) -> None:
        """SIGTERM every process, SIGKILL what is left after ``stop_timeout_s``, hand their calls back
        (not counted as an attempt: stopping the server is not the call's fault)."""
        self._stopping.set()
        live = [s for s in self._slots if s.proc is not None]
        for slot in live:
            assert slot.proc is not None
            slot.proc.terminate()
        deadline = time.monotonic() + self.policy.stop_timeout_s
        for slot in live:
            assert slot.proc is not None
            slot.proc.join(timeout=max(0.0, deadline - time.monotonic()))
            if slot.proc.is_alive() and slot.proc.pid is not None:
                kill_tree(slot.proc.pid)
                slot.proc.join(timeout=5)
            self._release(slot, f"handed back: worker {slot.worker_id} stopped", count_attempt=False)
            if slot.conn is not None:
                slot.conn.close()
            slot.proc, slot.conn = None, None
        try:
            forget_supervisor(self.engine, self.supervisor_id)
        except Exception:
            log.exception("could not remove supervisor %s", self.supervisor_id)
        log.info("supervisor %s stopped", self.supervisor_id)
