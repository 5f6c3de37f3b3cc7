"""``voc serve`` never leaves its serving or embedded worker processes behind: not on SIGTERM (uvicorn's
process manager stops its serving processes and returns), not even when it is killed outright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
SERVE = [sys.executable, "-c", "from voc.cli.main import main; main()", "serve", "--host", "127.0.0.1"]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _serve_and_stop(tmp_path: Path, how: signal.Signals) -> tuple[set[int], int | None]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    env |= {
        "VOC_DATA_DIR": str(tmp_path / "var"),
        "VOC_WORKER__POLL_INTERVAL_S": "0.2",
        "VOC_SERVER__PROCESSES": "2",
    }
    proc = subprocess.Popen(
        [*SERVE, "--port", str(port), "--workers", "2"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        workers = _children(proc.pid)
        assert len(workers) >= 4  # two serving processes, two workers (and the resource tracker)
        proc.send_signal(how)
        code = proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        return {pid for pid in workers if _alive(pid)}, code
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_no_worker_outlives_the_server(tmp_path: Path, how: signal.Signals) -> None:
    left, code = _serve_and_stop(tmp_path, how)
    assert left == set()
    assert code == (0 if how is signal.SIGTERM else -signal.SIGKILL)
