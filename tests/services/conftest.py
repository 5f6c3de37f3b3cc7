"""The API over the test runtime, for comparing an operation's answer there with the command line's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import make_key
from voc.runtime import Runtime


@pytest.fixture
def api(runtime: Runtime) -> Iterator[TestClient]:
    """A client with a supervisor's key (it may upload and retry calls)."""
    headers = {"Authorization": f"Bearer {make_key(runtime, 'supervisor')}"}
    with TestClient(create_app(runtime=runtime), headers=headers) as client:
        yield client
