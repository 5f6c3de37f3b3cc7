"""``/readyz`` is not ready while nobody works the queue: no live worker on any machine, or calls waiting
with none moving; it says which, so an operator (or a load balancer) sees it before users do."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from voc.db.calls import Call
from voc.db.types import utcnow
from voc.pipeline.worker import heartbeat, sign_off
from voc.runtime import Runtime


def test_not_ready_without_a_live_worker_and_ready_once_one_is_back(
    anonymous: TestClient, runtime: Runtime
) -> None:
    response = anonymous.get("/readyz")
    body = response.json()
    assert response.status_code == 503 and body["status"] == "not ready"
    assert body["checks"]["workers"].startswith("no worker alive")
    assert body["workers"]["alive"] == 0

    heartbeat(runtime.engine, "host:1:w0")
    body = anonymous.get("/readyz").json()
    assert body["checks"]["workers"] == "ok" and body["workers"]["alive"] == 1
    assert body["checks"]["queue"] == "ok"
    # Readiness as a whole also needs the ASR model (absent in some test settings).
    assert (body["status"] == "ready") == (body["checks"]["asr_model"] == "ok")

    sign_off(runtime.engine, "host:1:w0")
    assert anonymous.get("/readyz").json()["checks"]["workers"].startswith("no worker alive")


def test_a_stalled_queue_is_not_ready(anonymous: TestClient, runtime: Runtime) -> None:
    heartbeat(runtime.engine, "host:1:w0")
    with Session(runtime.engine) as session:
        session.add(Call(audio_sha256="a" * 64))
        session.commit()
        session.execute(update(Call).values(updated_at=utcnow() - timedelta(hours=1)))
        session.commit()
    response = anonymous.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["queue"].startswith("stalled: 1 call(s) queued")
    assert body["workers"]["stalled"] is True and body["workers"]["oldest_queued_s"] >= 3500
