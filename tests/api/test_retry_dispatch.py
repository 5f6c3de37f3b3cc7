"""Retrying a failed call over the API dispatches it at once, exactly as `voc calls retry`: with Celery, its
task is on the broker right away (not minutes later from the reaper)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from tests.api.conftest import make_key
from voc.assembly import build_dispatcher
from voc.db.calls import Call, CallStatus
from voc.runtime import Runtime

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def broker_queue(runtime: Runtime) -> Iterator[str]:
    """The runtime sends Celery tasks to a queue of its own on the local Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} is needed (make test uses the CI machine's): {exc}")
    queue = f"voc-test-retry-{uuid.uuid4().hex[:8]}"
    runtime.settings = runtime.settings.model_copy(
        update={
            "broker_url": REDIS_URL,
            "worker": runtime.settings.worker.model_copy(update={"celery_queue": queue}),
        }
    )
    runtime.dispatcher = build_dispatcher(runtime.settings, runtime.engine)
    yield queue
    client.delete(queue)
    client.close()


def _dead_call(runtime: Runtime) -> int:
    with Session(runtime.engine) as session:
        call = Call(
            audio_sha256=uuid.uuid4().hex * 2,
            status=CallStatus.DEAD,
            attempts=3,
            error="worker w1 killed by SIGKILL",
        )
        session.add(call)
        session.commit()
        assert call.id is not None
        return call.id


def test_api_retry_sends_the_task_at_once(runtime: Runtime, broker_queue: str) -> None:
    call_id = _dead_call(runtime)
    key = make_key(runtime, "supervisor")
    with TestClient(create_app(runtime=runtime), headers={"Authorization": f"Bearer {key}"}) as client:
        assert client.get(f"/api/v1/calls/{call_id}").json()["failure"]["code"] == "worker_died"
        r = client.post(f"/api/v1/calls/{call_id}/retry")
        assert r.status_code == 202 and r.json()["status"] == "queued"
        assert client.post(f"/api/v1/calls/{call_id}/retry").status_code == 409
    assert redis.Redis.from_url(REDIS_URL).llen(broker_queue) == 1


def test_analysts_may_not_retry(runtime: Runtime) -> None:
    call_id = _dead_call(runtime)
    key = make_key(runtime, "analyst")
    with TestClient(create_app(runtime=runtime), headers={"Authorization": f"Bearer {key}"}) as client:
        assert client.post(f"/api/v1/calls/{call_id}/retry").status_code == 403
