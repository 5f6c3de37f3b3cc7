"""voc as a user installs it: the wheel in a fresh venv, run from a folder outside the repository.

The wheel is built from this tree and installed with ``--no-index --no-deps``; its dependencies come from
the development environment through a ``.pth`` path entry (a path only: the editable install's finder there
is not loaded), so the test downloads nothing beyond the build backend and checks that *voc itself* — its
code, migrations, web assets and model assets — works from the wheel. HOME points at an empty folder, so
the data directory is the user data directory platformdirs chooses, as on a new machine. The signal
detector is trained without sentence embeddings (VOC_SIGNALS__ENCODER=none: 1–2 minutes instead of ten on
two cores); the Dockerfile runs the same steps with the default encoder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

AUDIO = REPO / "tests" / "fixtures" / "audio" / "speech.mp3"


def _run(cmd: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None, timeout: int = 600) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (
        f"{cmd}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(the venv's bin folder, a clean environment, a working folder outside the repository)."""
    root = tmp_path_factory.mktemp("installed")
    wheels = root / "wheels"
    pip = [sys.executable, "-m", "pip"]
    _run(
        [*pip, "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(REPO)], cwd=root, env=dict(os.environ)
    )
    (wheel,) = wheels.glob("voc-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root, env=dict(os.environ))
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, {}
        ).strip()
    )
    _run(
        [*pip, "--python", str(python), "install", "--no-index", "--no-deps", "--quiet", str(wheel)], root, {}
    )
    (site / "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    home = root / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOC_", "XDG_"))}
    env |= {"HOME": str(home), "PATH": f"{venv / 'bin'}:{env.get('PATH', '')}", "PYTHONNOUSERSITE": "1"}
    env["VOC_SIGNALS__ENCODER"] = "none"
    work = root / "elsewhere"
    work.mkdir()
    where = _run([str(python), "-c", "import voc; print(voc.__file__)"], work, env).strip()
    assert where.startswith(str(site)), f"voc must come from the wheel, not the source tree: {where}"
    return venv / "bin", env, work


def test_the_installed_package_works_from_any_folder(installed: tuple[Path, dict[str, str], Path]) -> None:
    bin_dir, env, work = installed
    voc = str(bin_dir / "voc")
    data = Path(env["HOME"]) / ".local" / "share" / "voc"

    empty = subprocess.run(
        [voc, "calls", "list"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert empty.returncode == 0 and "no calls" in empty.stdout
    assert f"sqlite:///{data}/voc.db" in empty.stderr  # says which database it read

    assembled = _run([voc, "models", "assemble"], work, env)
    assert f"models directory: {data / 'models'}" in assembled
    assert (data / "models" / "whisper-base" / "model.bin").is_file()
    assert (data / "models" / "nlp" / "user.dic").is_file()

    analysed = json.loads(
        _run([voc, "analyze-text"], work, env, stdin="料金が高すぎるので解約したいです。\n")
    )
    assert analysed["text"].startswith("料金が高すぎる") and analysed["tokens"]
    assert "churn_intent" in analysed["signals"]

    ingested = _run([voc, "calls", "ingest", str(AUDIO), "--wait"], work, env)
    assert "1 done, 0 failed" in ingested
    listed = json.loads(_run([voc, "calls", "list", "--json"], work, env))
    shown = json.loads(_run([voc, "calls", "show", str(listed[0]["id"]), "--json"], work, env))
    assert shown["status"] == "done" and shown["segments"] and shown["duration"] > 4
    assert not list(work.iterdir()), "nothing is written into the current folder"
