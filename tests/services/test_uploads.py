"""`voc calls ingest` and the API upload add recordings through one service: the same file gets the same
answer from both (a PNG named .flac is refused by its bytes, a real mp3 and flac go in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner, Result

from voc.cli.calls import app as calls_app
from voc.db.calls import Call
from voc.errors import InvalidInputError, UnsupportedMediaError
from voc.runtime import Runtime

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


def ingest(runtime: Runtime, *files: Path) -> Result:
    """``voc calls ingest`` on the test runtime (the command takes the runtime from its context)."""
    return CliRunner().invoke(calls_app, ["ingest", *map(str, files)], obj={"runtime": runtime})


def stored_files(runtime: Runtime) -> list[Path]:
    root = runtime.store.root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "kind"), [("not_audio.flac", UnsupportedMediaError), ("empty.wav", InvalidInputError)]
)
def test_cli_and_api_refuse_the_same_file_with_the_same_error(
    runtime: Runtime, api: TestClient, name: str, kind: type[InvalidInputError]
) -> None:
    path = AUDIO / name
    answer = api.post("/api/v1/calls", files={"file": (name, path.read_bytes(), "audio/flac")})
    assert answer.json()["type"] == kind.type_uri(), answer.text
    out = ingest(runtime, path)
    assert out.exit_code == 1
    assert f"not queued: {path}: {answer.json()['detail']}" in out.stderr
    assert "0 calls queued" in out.stdout
    with Session(runtime.engine) as session:
        assert session.exec(select(Call)).all() == []
    assert stored_files(runtime) == []


def test_cli_and_api_accept_the_same_mp3_and_flac(runtime: Runtime, api: TestClient) -> None:
    files = [AUDIO / "speech.mp3", AUDIO / "mono_call.flac"]
    out = ingest(runtime, *files)
    assert out.exit_code == 0, out.stderr
    assert "2 calls queued" in out.stdout
    for path in files:
        answer = api.post("/api/v1/calls", files={"file": (path.name, path.read_bytes(), "audio/mpeg")})
        assert answer.status_code == 202, answer.text
        assert answer.json()["duplicate"]  # the very call the command line queued
    with Session(runtime.engine) as session:
        names = sorted(c.original_filename or "" for c in session.exec(select(Call)))
    assert names == ["mono_call.flac", "speech.mp3"]


def test_a_size_limit_refuses_on_both_and_keeps_nothing(runtime: Runtime, api: TestClient) -> None:
    runtime.settings.max_upload_mb = 0  # every byte is over the limit
    path = AUDIO / "speech.mp3"
    answer = api.post("/api/v1/calls", files={"file": (path.name, path.read_bytes(), "audio/mpeg")})
    assert answer.status_code == 413
    out = ingest(runtime, path)
    assert out.exit_code == 1 and f"not queued: {path}: {answer.json()['detail']}" in out.stderr
    assert stored_files(runtime) == []
