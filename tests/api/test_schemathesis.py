"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process).

As admin, on SQLite and PostgreSQL (whose INTEGER is 32-bit and which refuses NUL bytes): every documented
operation gets generated input; no answer may be a 5xx, and every answer must match the documented status
codes, content types and response schemas.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.api.conftest import make_key
from tests.conftest import BACKENDS, REPO
from voc.assembly import build_runtime
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.settings import Settings

ADMIN: dict[str, str] = {}


@pytest.fixture(scope="module", params=BACKENDS)
def api_schema(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.schemas.BaseSchema]:
    root: Path = tmp_path_factory.mktemp("schemathesis")
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    settings_ = Settings(
        _env_file=None,
        data_dir=root / "var",
        database_url=url,
        max_upload_mb=1,
        asr={"model_dir": REPO / "models" / "whisper-base"},
    )
    engine = make_engine(settings_.resolved_database_url)
    upgrade(engine)
    runtime = build_runtime(settings_, engine=engine)
    ADMIN["Authorization"] = f"Bearer {make_key(runtime, 'admin', 'schemathesis')}"
    app = create_app(runtime=runtime)
    with TestClient(app):  # runs the lifespan: the runtime is on app.state
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    engine.dispose()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_api_conforms_to_its_schema(api_schema: schemathesis.schemas.BaseSchema) -> None:
    # /readyz answers 503 on purpose where the ASR model is not installed; it takes no input anyway.
    results = list(api_schema.get_all_operations())
    assert all(isinstance(r, Ok) for r in results), "the OpenAPI schema itself is valid"
    operations = [r.ok() for r in results if isinstance(r, Ok) and r.ok().path != "/readyz"]
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=20,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=ADMIN, checks=CHECKS)

        check()
