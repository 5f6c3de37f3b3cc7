"""An app over the test runtime (SQLite or PostgreSQL), without starting workers.

``client`` sends an admin key; ``client_for(role)`` gives a client with a key of that role, and
``anonymous`` one without any key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from voc.runtime import Runtime
from voc.security.keys import create_key

ClientFor = Callable[[str], TestClient]


def make_key(runtime: Runtime, role: str, name: str | None = None) -> str:
    with Session(runtime.engine) as session:
        _, secret = create_key(session, role, name or f"test-{role}")
        session.commit()
    return secret


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime=runtime)


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def client_for(app: FastAPI, runtime: Runtime) -> Iterator[ClientFor]:
    clients: dict[str, TestClient] = {}

    def make(role: str) -> TestClient:
        if role not in clients:
            client = TestClient(app, headers={"Authorization": f"Bearer {make_key(runtime, role)}"})
            clients[role] = client.__enter__()
        return clients[role]

    yield make
    for client in clients.values():
        client.__exit__(None, None, None)


@pytest.fixture
def client(client_for: ClientFor) -> TestClient:
    return client_for("admin")


@pytest.fixture
def admin_client(client_for: ClientFor) -> TestClient:
    return client_for("admin")


@pytest.fixture
def supervisor_client(client_for: ClientFor) -> TestClient:
    return client_for("supervisor")


@pytest.fixture
def analyst_client(client_for: ClientFor) -> TestClient:
    return client_for("analyst")


@pytest.fixture
def integration_client(client_for: ClientFor) -> TestClient:
    return client_for("integration")
