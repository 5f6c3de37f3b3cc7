"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep
from voc.pipeline.liveness import queue_health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


READINESS_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
        "workers": {
            "type": "object",
            "description": "Live worker processes (any machine) and the queue they work on",
            "properties": {
                "alive": {"type": "integer"},
                "wanted": {"type": "integer", "description": "What the running supervisors keep alive"},
                "restarts": {"type": "integer"},
                "last_exit": {"type": ["string", "null"], "description": "Why the last worker died"},
                "queued": {"type": "integer", "description": "Calls waiting for a worker now"},
                "oldest_queued_s": {"type": ["number", "null"]},
                "last_progress_s": {"type": ["number", "null"], "description": "Since a call last moved"},
                "stalled": {"type": "boolean"},
            },
        },
    },
    "required": ["status", "checks"],
}


@router.get(
    "/readyz",
    summary="Database reachable, ASR model present, a worker alive, the queue moving",
    response_model=None,
    responses={
        200: {"description": "Ready", "content": {"application/json": {"schema": READINESS_SCHEMA}}},
        503: {
            "description": "Not ready: see checks",
            "content": {"application/json": {"schema": READINESS_SCHEMA}},
        },
    },
)
def readyz(rt: RuntimeDep) -> JSONResponse | dict[str, Any]:
    checks: dict[str, str] = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not ready", reported, not raised
        checks["database"] = f"error: {type(exc).__name__}"
    model_dir = rt.settings.asr.model_dir
    checks["asr_model"] = (
        "ok" if (model_dir / "model.bin").is_file() else f"missing: {model_dir} (VOC_ASR__MODEL_DIR)"
    )
    body: dict[str, Any] = {"checks": checks}
    if checks["database"] == "ok":
        # Uploads would be accepted but never analysed: not ready while nobody works the queue.
        try:
            health = queue_health(rt.engine, stall_after_s=rt.settings.worker.stall_after_s)
        except Exception as exc:  # reported like the database check, never raised
            checks["workers"] = f"error: {type(exc).__name__}"
        else:
            checks["workers"] = health.workers_check()
            checks["queue"] = health.queue_check()
            body["workers"] = health.as_dict()
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", **body}
    return body if ready else JSONResponse(body, status_code=503)
