"""`voc calls retry` and the API retry go through one service: the same lookup, the same refusal."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner, Result

from voc.cli.calls import app as calls_app
from voc.db.calls import Call, CallStatus
from voc.errors import ConflictError, NotFoundError, VocError
from voc.runtime import Runtime


def cli_retry(runtime: Runtime, ref: str) -> Result:
    return CliRunner().invoke(calls_app, ["retry", ref], obj={"runtime": runtime})


def make_call(runtime: Runtime, status: CallStatus, external_id: str) -> None:
    with Session(runtime.engine) as session:
        session.add(
            Call(
                audio_sha256=hashlib.sha256(external_id.encode()).hexdigest(),
                status=status,
                external_id=external_id,
            )
        )
        session.commit()


@pytest.mark.parametrize(("ref", "kind"), [("NOPE-1", NotFoundError), ("Q-1", ConflictError)])
def test_both_refuse_alike(runtime: Runtime, api: TestClient, ref: str, kind: type[VocError]) -> None:
    make_call(runtime, CallStatus.QUEUED, "Q-1")
    answer = api.post(f"/api/v1/calls/{ref}/retry")
    assert answer.json()["type"] == kind.type_uri()
    out = cli_retry(runtime, ref)
    assert isinstance(out.exception, kind) and str(out.exception) == answer.json()["detail"]


def test_both_queue_a_dead_call_again(runtime: Runtime, api: TestClient) -> None:
    make_call(runtime, CallStatus.DEAD, "D-1")
    make_call(runtime, CallStatus.FAILED, "F-1")
    out = cli_retry(runtime, "D-1")
    assert out.exit_code == 0 and "call D-1 queued again" in out.stdout
    answer = api.post("/api/v1/calls/F-1/retry")
    assert answer.status_code == 202 and answer.json()["status"] == "queued"
    assert api.get("/api/v1/calls/D-1").json()["status"] == "queued"
