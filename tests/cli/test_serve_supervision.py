"""``voc serve`` on the embedded default keeps its worker processes alive, and says so honestly.

Its workers are SIGKILLed (as the out-of-memory killer would): ``/readyz`` answers not-ready while none
is alive, naming the death; the supervisor starts new processes, and once they take calls again
``/readyz`` is ready and ``voc calls list`` shows the restarts. SIGTERM still leaves nothing behind.
``voc worker`` (the database queue, other machines) supervises its processes the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from tests.cli.test_serve_shutdown import REPO, SERVE, _alive, _children, _free_port
from voc.db.engine import make_engine
from voc.pipeline.liveness import queue_health

pytestmark = [
    pytest.mark.scale,
    pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc"),
]


def _workers(pid: int) -> set[int]:
    """The spawned worker processes of ``pid`` (not multiprocessing's resource tracker)."""
    found = set()
    for child in _children(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline and _alive(child):
            found.add(child)
    return found


def _ready(port: int) -> tuple[int, dict[str, Any]]:
    response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    return response.status_code, response.json()


def _until(what: str, timeout_s: float, check: Any) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            found = check()
        except (httpx.HTTPError, OperationalError):  # not listening / not migrated yet
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"{what}: not within {timeout_s} s")


def test_killed_workers_are_replaced_and_readiness_follows_them(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    env |= {
        "VOC_DATA_DIR": str(tmp_path / "var"),
        "VOC_WORKER__POLL_INTERVAL_S": "0.2",
        "VOC_WORKER__RESTART_BACKOFF_S": "0.2",
        "VOC_SERVER__PROCESSES": "1",  # the spawned children counted below are the workers only
    }
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [*SERVE, "--port", str(port), "--workers", "2"], cwd=REPO, env=env, stdout=log, stderr=log
    )
    try:
        # Workers import the pipeline first (seconds on a busy machine), then announce themselves.
        _until("two workers up", 180, lambda: _ready(port)[1].get("workers", {}).get("alive") == 2)
        first = _workers(proc.pid)
        assert len(first) == 2

        for pid in first:
            os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        status, body = _until("not ready", 30, lambda: (r := _ready(port))[0] == 503 and r)
        not_ready_s = time.monotonic() - killed
        assert body["status"] == "not ready"
        assert body["checks"]["workers"].startswith("no worker alive"), body
        assert "SIGKILL" in body["checks"]["workers"]

        _until("two new processes", 30, lambda: len(_workers(proc.pid) - first) == 2)
        replaced_s = time.monotonic() - killed
        _until("two workers up again", 180, lambda: _ready(port)[1].get("workers", {}).get("alive") == 2)
        ready_again_s = time.monotonic() - killed
        status, body = _ready(port)
        assert body["checks"]["workers"] == "ok" and body["workers"]["restarts"] >= 2
        if (REPO / "models" / "whisper-base" / "model.bin").is_file():
            assert status == 200 and body["status"] == "ready", body
        print(
            f"\nnot ready {not_ready_s:.2f} s after the kills, new processes {replaced_s:.2f} s, "
            f"ready again {ready_again_s:.1f} s"
        )

        listed = subprocess.run(
            [sys.executable, "-c", "from voc.cli.main import main; main()", "calls", "list"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.splitlines()[0].startswith("workers 2/2 alive ("), listed.stdout

        second = _workers(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 128 + signal.SIGTERM
        _until("no worker left", 20, lambda: not any(_alive(pid) for pid in second))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def test_voc_worker_replaces_a_killed_process_and_burst_ends_with_the_queue(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    env |= {"VOC_DATA_DIR": str(tmp_path / "var"), "VOC_WORKER__POLL_INTERVAL_S": "0.2"}
    worker = [sys.executable, "-c", "from voc.cli.main import main; main()", "worker"]
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen([*worker, "--concurrency", "1"], cwd=REPO, env=env, stdout=log, stderr=log)
    engine = None
    try:
        _until("the database", 120, lambda: (tmp_path / "var" / "voc.db").is_file())
        engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'voc.db'}")
        _until("a worker up", 180, lambda: queue_health(engine).alive_workers == 1)
        (first,) = _workers(proc.pid)
        os.kill(first, signal.SIGKILL)
        _until("a new process", 30, lambda: len(_workers(proc.pid) - {first}) == 1)
        _until("a worker up again", 180, lambda: queue_health(engine).alive_workers == 1)
        health = queue_health(engine)
        assert health.restarts == 1 and "SIGKILL" in (health.last_exit or "")
        (second,) = _workers(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        assert not _alive(second)
        assert queue_health(engine).alive_workers == 0 and queue_health(engine).wanted_workers == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        if engine is not None:
            engine.dispose()
    # --burst: the processes find the queue empty, end, and are not replaced; the command ends.
    burst = subprocess.run([*worker, "--burst", "--concurrency", "2"], cwd=REPO, env=env, timeout=300)
    assert burst.returncode == 0
