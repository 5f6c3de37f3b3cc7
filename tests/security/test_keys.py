"""API keys: hashed at rest, shown once, constant-time checked, revocable; the first start makes an admin."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from api.app import create_app
from voc.cli.main import app as cli
from voc.db.audit import AuditEntry
from voc.db.engine import make_engine
from voc.db.security import ApiKey
from voc.security.keys import (
    KeyCache,
    authenticate,
    cached_principal,
    create_key,
    ensure_admin_key,
    hash_secret,
    list_keys,
    revoke_key,
)
from voc.services.keys import withdraw_key
from voc.settings import Settings


def test_only_a_hash_is_stored(engine: Engine) -> None:
    with Session(engine) as session:
        key, secret = create_key(session, "analyst", "bi")
        session.commit()
        stored = session.exec(select(ApiKey)).one()
    assert secret.startswith(f"voc_{key.prefix}_") and len(secret) > 40
    assert stored.secret_sha256 == hash_secret(secret) and secret not in stored.model_dump_json()


def test_authenticate_and_revoke(engine: Engine) -> None:
    with Session(engine) as session:
        key, secret = create_key(session, "integration", "crm")
        session.commit()
        principal = authenticate(session, secret)
        assert principal is not None and principal.role == "integration" and principal.name == "crm"
        assert authenticate(session, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None
        assert authenticate(session, "voc_" + key.prefix) is None
        assert authenticate(session, "") is None
        assert key.id is not None
        revoke_key(session, key.id)
        session.commit()
        assert authenticate(session, secret) is None
        assert list_keys(session, include_revoked=False) == []


def test_unknown_roles_are_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(ValueError, match="unknown role"):
        create_key(session, "root")


def test_ensure_admin_key_creates_one_only_when_none_exists(engine: Engine) -> None:
    with Session(engine) as session:
        secret = ensure_admin_key(session)
        assert secret is not None
        principal = authenticate(session, secret)
        assert principal is not None and principal.role == "admin"
        assert ensure_admin_key(session) is None


def test_the_app_alone_never_logs_a_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Started without `voc serve` (which prints the first key), the app only says how to make one."""
    settings = Settings(_env_file=None, data_dir=tmp_path / "var")
    with caplog.at_level(logging.DEBUG), TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
    assert not [r for r in caplog.records if re.search(r"voc_\w", r.getMessage())]
    assert any("voc keys create --role admin" in r.getMessage() for r in caplog.records)


def test_keys_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"VOC_DATA_DIR": str(tmp_path / "var"), "VOC_DATABASE_URL": ""}
    created = runner.invoke(cli, ["keys", "create", "--role", "supervisor", "--name", "team-a"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[0]
    assert secret.startswith("voc_")
    listed = runner.invoke(cli, ["keys", "list", "--json"], env=env)
    assert '"team-a"' in listed.stdout and secret not in listed.stdout
    assert runner.invoke(cli, ["keys", "revoke", "1"], env=env).exit_code == 0
    assert '"revoked_at": null' not in runner.invoke(cli, ["keys", "list", "--json"], env=env).stdout
    bad = runner.invoke(cli, ["keys", "create", "--role", "root"], env=env)
    assert bad.exit_code != 0
    missing = runner.invoke(cli, ["keys", "revoke", "99"], env=env)
    assert missing.exit_code == 1 and "99" in f"{missing.output}{missing.exception}"


def test_the_cli_and_the_api_leave_the_same_audit_trail(tmp_path: Path) -> None:
    """Key management goes through one service: created and revoked keys are audited from both."""
    runner = CliRunner()
    env = {"VOC_DATA_DIR": str(tmp_path / "var"), "VOC_DATABASE_URL": ""}
    assert runner.invoke(cli, ["keys", "create", "--role", "analyst", "--name", "bi"], env=env).exit_code == 0
    assert runner.invoke(cli, ["keys", "revoke", "1"], env=env).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'voc.db'}")
    try:
        with Session(engine) as session:
            entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    finally:
        engine.dispose()
    assert [(e.action, e.resource_id, e.key_id) for e in entries] == [
        ("key.create", "1", None),
        ("key.revoke", "1", None),
    ]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_cached_key_is_trusted_for_the_ttl_only(engine: Engine) -> None:
    """Revoked behind the cache's back (another process, `voc keys revoke`): refused once the TTL is up."""
    clock = FakeClock()
    cache = KeyCache(ttl_s=10, clock=clock)
    with Session(engine) as session:
        key, secret = create_key(session, "analyst", "bi")
        session.commit()
        assert key.id is not None
        principal = authenticate(session, secret, cache=cache)
        assert principal is not None and cached_principal(cache, secret) == principal
        revoke_key(session, key.id)
        session.commit()
        clock.now += 9.9
        assert authenticate(session, secret, cache=cache) == principal  # within the TTL
        clock.now += 0.2
        assert cached_principal(cache, secret) is None
        assert authenticate(session, secret, cache=cache) is None


def test_a_key_withdrawn_through_the_service_is_refused_at_once(engine: Engine) -> None:
    clock = FakeClock()
    cache = KeyCache(ttl_s=10, clock=clock)
    with Session(engine) as session:
        key, secret = create_key(session, "analyst", "bi")
        other, other_secret = create_key(session, "analyst", "other")
        session.commit()
        assert key.id is not None and other.id is not None
        principal = authenticate(session, secret, cache=cache)
        assert principal is not None and authenticate(session, other_secret, cache=cache) is not None
        withdraw_key(session, key.id, actor=None, cache=cache)
        # A request that read the key before the revocation committed cannot put it back in the cache.
        cache.put(hash_secret(secret), principal)
        assert cached_principal(cache, secret) is None
        assert authenticate(session, secret, cache=cache) is None
        session.commit()
        assert authenticate(session, secret, cache=cache) is None
        assert cached_principal(cache, other_secret) is not None  # the other key stays cached


def test_the_cache_is_bounded_and_ttl_0_caches_nothing(engine: Engine) -> None:
    cache = KeyCache(ttl_s=60, max_keys=2)
    with Session(engine) as session:
        secrets = [create_key(session, "analyst", f"k{i}")[1] for i in range(3)]
        session.commit()
        for secret in secrets:
            assert authenticate(session, secret, cache=cache) is not None
        assert len(cache) == 2 and cached_principal(cache, secrets[0]) is None  # the oldest went first
        assert all(cached_principal(cache, s) is not None for s in secrets[1:])
        off = KeyCache(ttl_s=0)
        assert authenticate(session, secrets[0], cache=off) is not None and len(off) == 0
    with pytest.raises(ValueError, match="key cache"):
        KeyCache(ttl_s=-1)
