"""``voc serve`` with two serving processes (Linux): each listens on a socket of its own (SO_REUSEPORT), so
the kernel spreads keep-alive connections evenly over them, where uvicorn's one shared socket split 50
connections 33/17; a killed serving process is replaced; SIGTERM leaves none behind; a taken port is one
line, not a traceback."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from tests.cli.test_serve_shutdown import REPO, SERVE, _alive, _children, _free_port
from voc.process_manager import PortSockets, sockets_per_process, spreads_connections

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not spreads_connections(), reason="the kernel balances SO_REUSEPORT groups: Linux"),
]

T = TypeVar("T")


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    return env | {"VOC_DATA_DIR": str(tmp_path / "var")}


def _until(what: str, timeout_s: float, check: Callable[[], T]) -> T:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def _serving(proc: subprocess.Popen[bytes], port: int) -> dict[int, PortSockets]:
    """The serving processes (those listening on the port) and their sockets on it."""
    return sockets_per_process(sorted(_children(proc.pid)), port)


@contextmanager
def _serve(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, Path]]:
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*SERVE, "--port", str(port), "--workers", "0", "--processes", "2"],
            cwd=REPO,
            env=_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def listening() -> bool:
        assert proc.poll() is None, log_path.read_text(encoding="utf-8")[-3000:]
        return len(_serving(proc, port)) == 2

    try:
        _until("two serving processes listening", 90, listening)  # each once its app has started
        yield proc, port, log_path
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _stop(proc: subprocess.Popen[bytes], serving: set[int]) -> set[int]:
    """SIGTERM ``voc serve``: its exit status, after which the serving processes still alive."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in serving) and time.monotonic() < deadline:
        time.sleep(0.1)
    return {pid for pid in serving if _alive(pid)}


def _get_healthz(sock: socket.socket) -> None:
    """One keep-alive ``GET /healthz`` on ``sock``, its whole answer read."""
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: voc\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "the server closed the connection"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    length = re.search(rb"(?i)content-length: *(\d+)", head)
    assert length is not None
    while len(body) < int(length[1]):
        body += sock.recv(4096)


def test_keep_alive_connections_spread_evenly_over_the_serving_processes(tmp_path: Path) -> None:
    with _serve(tmp_path) as (proc, port, _), ExitStack() as connections:
        # Each process listens on a socket of its own (uvicorn's manager shares one among them all).
        listening = [held.listening for held in _serving(proc, port).values()]
        assert len(listening) == 2 and not listening[0] & listening[1]
        # All at once, as clients start (under uvicorn's manager the first process to wake took most of a
        # burst), then a request on each: answered, the connection is held by the process that accepted it.
        opened = [
            connections.enter_context(socket.create_connection(("127.0.0.1", port), timeout=10))
            for _ in range(80)
        ]
        for sock in opened:
            _get_healthz(sock)
        held = {pid: sockets.connections for pid, sockets in _serving(proc, port).items()}
        assert sum(held.values()) == 80
        # A hash over two sockets: each gets a quarter or more but for one run in ~100,000 (binomial).
        assert min(held.values()) >= 20, held
        connections.close()
        assert _stop(proc, set(held)) == set()


def test_a_killed_serving_process_is_replaced(tmp_path: Path) -> None:
    with _serve(tmp_path) as (proc, port, log_path):
        first = set(_serving(proc, port))
        victim = min(first)
        os.kill(victim, signal.SIGKILL)

        def replaced() -> set[int]:
            found = set(_serving(proc, port))
            return found if len(found) == 2 and found != first else set()

        now = _until("a new serving process listening", 60, replaced)
        assert victim not in now
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        assert f"serving process {victim} killed by SIGKILL" in log_path.read_text(encoding="utf-8")
        assert _stop(proc, now) == set()


def test_a_taken_port_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        done = subprocess.run(
            [*SERVE, "--port", str(port), "--workers", "0", "--processes", "2"],
            cwd=REPO,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"voc: error: cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
