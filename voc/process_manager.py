"""The serving processes of ``voc serve``: each with a listening socket of its own, so that the kernel
spreads the connections evenly over them.

uvicorn's own manager (``uvicorn.run(workers=N)``) binds one socket and hands it to every process: they
accept from one queue, and keep-alive connections go to whichever process wakes first. With 50 clients on
two processes the split was 33/17 (docs/BENCHMARKS.md): one process queued twice the work of the other,
and the tail grew with it. Here (Linux, more than one process) each process binds ``host:port`` itself
with ``SO_REUSEPORT``, and the kernel hashes every new connection onto one of the listening sockets of the
group. A process that is starting (or restarting) takes no connection before it listens, and one that dies
takes its socket with it: new connections go to the others until its replacement listens (those waiting
in its queue, not yet accepted, are reset: Linux does not hand them to another socket of the group).

Security: Linux lets a socket join a ``SO_REUSEPORT`` group only when its process has the effective user
of the group's first socket, so another user's program cannot take a share of the connections; a program
of the same user could, so ``voc serve`` first checks that nothing listens on the port (a bind without
``SO_REUSEPORT``, which an existing group refuses) and says so if something does.

The rest is as with uvicorn's manager: spawned processes (``multiprocessing``'s spawn context) that build
the app from its import string (``factory=True``) and watch this process (``api.serving``); SIGTERM or
SIGINT stops them gracefully (uvicorn's shutdown in each) and waits for them; a process that dies is
replaced (logged), and one that fails to start (uvicorn's exit status 3: the app, or the bind) stops
them all. Where ``SO_REUSEPORT`` is missing, or for one process, ``serve`` runs uvicorn as before.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import sys
from dataclasses import dataclass
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

from voc.pipeline.proctree import describe_exit

log = logging.getLogger(__name__)

spawn = multiprocessing.get_context("spawn")


class ServingError(Exception):
    """The serving processes cannot run: the port is taken, or a process failed to start."""


@dataclass(frozen=True)
class ServingPlan:
    """What every serving process runs: ``app`` is the import string of a factory (uvicorn's
    ``factory=True``); passed to each spawned process, so only plain values."""

    app: str
    host: str
    port: int
    log_level: str = "info"
    access_log: bool = True


def spreads_connections() -> bool:
    """Whether the kernel balances connections over a ``SO_REUSEPORT`` group: Linux (BSD and macOS name
    the option but do not balance with it)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def serve(plan: ServingPlan, processes: int) -> None:
    """Serve ``plan`` in ``processes`` processes until SIGTERM or SIGINT: ours (a socket each) where the
    kernel spreads connections and there is more than one, otherwise uvicorn's ``run`` (also for port 0:
    any free port, which only one socket shared by all can make the same for every process).

    Raises ``ServingError`` when the port is taken or a serving process fails to start (ours)."""
    if processes > 1 and plan.port != 0 and spreads_connections():
        ServingProcesses(plan, processes).run()
        return
    uvicorn.run(
        plan.app,
        factory=True,
        workers=processes,
        host=plan.host,
        port=plan.port,
        log_level=plan.log_level,
        access_log=plan.access_log,
    )


def ensure_port_free(host: str, port: int) -> None:
    """``ServingError`` when something listens on ``host:port`` (a ``SO_REUSEPORT`` group included)."""
    try:
        probe = _socket(host)
    except OSError as exc:
        raise ServingError(f"cannot listen on {host}:{port}: {exc}") from exc
    with probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is fine
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ServingError(
                f"cannot listen on {host}:{port}: {reason} (another voc serve or another program is using "
                "it: stop it, or choose another port with --port or VOC_PORT)"
            ) from exc


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` in the ``SO_REUSEPORT`` group of the serving processes (it listens
    when uvicorn has started the app)."""
    sock = _socket(host)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _socket(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # as uvicorn reads the host
    return socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)


def serving_process(plan: ServingPlan) -> None:
    """One serving process (spawned): its own socket, then the app on it through uvicorn."""
    config = uvicorn.Config(
        app=plan.app,
        factory=True,
        host=plan.host,
        port=plan.port,
        log_level=plan.log_level,
        access_log=plan.access_log,
    )
    try:
        sock = listening_socket(plan.host, plan.port)
    except OSError as exc:
        logging.getLogger("uvicorn.error").error(
            "serving process %d cannot listen on %s:%d: %s", os.getpid(), plan.host, plan.port, exc
        )
        sys.exit(STARTUP_FAILURE)
    # uvicorn re-raises the SIGINT it stopped on: the parent expects this process to end, no traceback.
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


class ServingProcesses:
    """Starts ``count`` serving processes, replaces those that die, stops them on SIGTERM / SIGINT."""

    def __init__(self, plan: ServingPlan, count: int, *, check_s: float = 0.5) -> None:
        self.plan, self.count, self.check_s = plan, count, check_s
        self.processes: list[BaseProcess] = []
        # Set by the signal handler: a plain value (a lock taken there could be held by this same thread).
        self.stopped_by: int | None = None
        self.failed: str | None = None

    def run(self) -> None:
        """Until SIGTERM or SIGINT (this must be the main thread: it takes both signals meanwhile)."""
        ensure_port_free(self.plan.host, self.plan.port)
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            self.processes = [self._start() for _ in range(self.count)]
            log.info(
                "serving process manager %d: %d processes, a socket each (%s)",
                os.getpid(),
                self.count,
                ", ".join(str(p.pid) for p in self.processes),
            )
            while self.stopped_by is None and self.failed is None:
                # Wakes when a process ends; a signal is seen within check_s.
                wait([p.sentinel for p in self.processes], timeout=self.check_s)
                self._replace_the_dead()
            if self.stopped_by is not None:
                log.info("serving process manager: %s, stopping", signal.Signals(self.stopped_by).name)
            for process in self.processes:
                self._signal(process, signal.SIGTERM)
            for process in self.processes:
                process.join()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.failed:
            raise ServingError(self.failed)
        log.info("serving process manager %d: stopped", os.getpid())

    def _start(self) -> BaseProcess:
        process = spawn.Process(target=serving_process, args=(self.plan,), name="voc-serving")
        process.start()
        return process

    def _replace_the_dead(self) -> None:
        for i, process in enumerate(self.processes):
            if process.is_alive() or self.stopped_by is not None:
                continue
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                # The app, its start-up or the bind is broken: every new process would fail the same way.
                self.failed = (
                    f"serving process {process.pid} failed to start (exit status {STARTUP_FAILURE}; "
                    "its log above says why)"
                )
                log.error("%s: stopping the others", self.failed)
                return
            self.processes[i] = self._start()
            log.warning(
                "serving process %s %s; started %s in its place",
                process.pid,
                describe_exit(process.exitcode),
                self.processes[i].pid,
            )

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stopped_by is None:
            self.stopped_by = signum  # run() sends SIGTERM to each process and waits for them
        elif signum == signal.SIGINT:  # again while stopping: uvicorn ends at once on a second SIGINT
            for process in self.processes:
                self._signal(process, signal.SIGINT)

    @staticmethod
    def _signal(process: BaseProcess, signum: int) -> None:
        # SIGTERM, not SIGINT, for the graceful stop: after Ctrl-C each process has the terminal's SIGINT
        # already, and a second SIGINT would make uvicorn drop the requests in flight.
        if process.pid is not None and process.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signum)


PROC = Path("/proc")


@dataclass(frozen=True)
class PortSockets:
    """What one process holds of a port: its listening sockets (their inodes: one shared by every process
    under uvicorn's manager, one of its own each here) and the connections it accepted on them."""

    listening: frozenset[str]
    connections: int


def sockets_per_process(pids: list[int], port: int) -> dict[int, PortSockets]:
    """Each of ``pids`` that holds a socket listening on ``port``, with what it holds of that port (Linux
    ``/proc``: the sockets among its file descriptors, their state in ``/proc/net/tcp`` and ``tcp6``).
    Empty where there is no ``/proc``."""
    listening: set[str] = set()
    established: set[str] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or int(fields[1].rsplit(":", 1)[1], 16) != port:
                continue
            state, inode = fields[3], fields[9]
            if state == "0A":  # LISTEN
                listening.add(inode)
            elif state == "01":  # ESTABLISHED, this port the local end: a connection accepted
                established.add(inode)
    found: dict[int, PortSockets] = {}
    for pid in pids:
        inodes = _socket_inodes(pid)
        if inodes & listening:
            found[pid] = PortSockets(frozenset(inodes & listening), len(inodes & established))
    return found


def _socket_inodes(pid: int) -> set[str]:
    inodes: set[str] = set()
    try:
        fds = list((PROC / str(pid) / "fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = str(fd.readlink())
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes
