"""The first ``voc serve`` prints its admin key once, plainly on the terminal, and never into the logs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.cli.test_serve_shutdown import _free_port

SERVE = [sys.executable, "-c", "from voc.cli.main import main; main()", "serve", "--host", "127.0.0.1"]


def _serve_once(tmp_path: Path) -> tuple[str, str, int]:
    """Start voc serve, wait for /healthz, stop it; its stdout, its stderr (the log lines) and the port."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOC_")}
    env |= {"VOC_DATA_DIR": str(tmp_path / "var"), "VOC_LOG_LEVEL": "INFO"}
    # Files, not pipes: a full pipe would block the server's logging before it answers.
    out_path, err_path = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out_path.open("w") as out_file, err_path.open("w") as err_file:
        proc = subprocess.Popen(
            [*SERVE, "--port", str(port), "--workers", "0"],
            cwd=tmp_path,
            env=env,
            stdout=out_file,
            stderr=err_file,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    out, err = out_path.read_text(), err_path.read_text()
    return out, err, port


def test_the_first_start_prints_an_admin_key_once_and_never_logs_it(tmp_path: Path) -> None:
    out, err, _ = _serve_once(tmp_path)
    keys = re.findall(r"^\s+(voc_\S+)$", out, flags=re.MULTILINE)
    assert len(keys) == 1, (out, err[-3000:])
    assert "store it" in out
    assert keys[0] not in err and "voc_" not in err
    again, again_err, _ = _serve_once(tmp_path)
    assert "voc_" not in again and "voc_" not in again_err

    from sqlmodel import Session

    from voc.db.engine import make_engine
    from voc.security.keys import authenticate

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'voc.db'}")
    try:
        with Session(engine) as session:
            principal = authenticate(session, keys[0])
        assert principal is not None and principal.role == "admin"
    finally:
        engine.dispose()
