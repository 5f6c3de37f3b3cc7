"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


READINESS_SCHEMA = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ready", "not ready"]},
        "checks": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "required": ["status", "checks"],
}


@router.get(
    "/readyz",
    summary="Database reachable and ASR model present",
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
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks}
    return body if ready else JSONResponse(body, status_code=503)
