"""Creating, checking and revoking API keys.

A key is ``voc_<prefix>_<secret>`` with 256 random bits; only its sha256 is stored (a fast hash is enough
for a high-entropy secret, unlike a password). The prefix, stored in clear, identifies a key in lists and
logs; the lookup is by prefix and the hash comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from voc.db.security import ApiKey
from voc.db.types import utcnow
from voc.security.roles import Role, check_role

log = logging.getLogger(__name__)

KEY_PREFIX = "voc_"
PREFIX_CHARS = 8
#: last_used_at is written at most this often, so that reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, name and role (kept in audit entries as they were)."""

    key_id: int
    name: str
    role: Role


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def create_key(session: Session, role: str, name: str | None = None) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown once and cannot be recovered later."""
    checked = check_role(role)
    prefix, secret = _new_secret()
    key = ApiKey(
        name=name or f"{checked}-{prefix}", role=checked, prefix=prefix, secret_sha256=hash_secret(secret)
    )
    session.add(key)
    session.flush()
    log.info("API key %s (%s, %s) created", key.id, key.name, key.role)
    return key, secret


def _prefix_of(secret: str) -> str | None:
    if not secret.startswith(KEY_PREFIX):
        return None
    prefix = secret[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_CHARS]
    return prefix if len(prefix) == PREFIX_CHARS else None


def authenticate(session: Session, secret: str, *, now: datetime | None = None) -> Principal | None:
    """The principal behind ``secret``, or ``None`` for an unknown, malformed or revoked key.

    Records when the key was last used (flushed; the caller commits)."""
    prefix = _prefix_of(secret)
    if prefix is None or len(secret) > 256:
        return None
    digest = hash_secret(secret)
    candidates = session.exec(
        select(ApiKey).where(ApiKey.prefix == prefix, col(ApiKey.revoked_at).is_(None))
    ).all()
    found = None
    for key in candidates:
        if hmac.compare_digest(key.secret_sha256, digest):
            found = key
    if found is None or found.id is None:
        return None
    now = now or utcnow()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        found.last_used_at = now
        session.add(found)
        session.flush()
    return Principal(key_id=found.id, name=found.name, role=check_role(found.role))


def list_keys(session: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).order_by(col(ApiKey.id))
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return list(session.exec(query).all())


def revoke_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke a key (kept for the audit trail); ``None`` if there is no such key."""
    key = session.get(ApiKey, key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.add(key)
        session.flush()
        log.info("API key %s (%s) revoked", key.id, key.name)
    return key


def ensure_admin_key(session: Session) -> str | None:
    """On the first start, create an admin key if no usable key exists; returns its secret (else None).

    The caller commits, then shows the secret once (``voc serve`` prints it on the terminal); it is not
    stored in clear.
    """
    active = session.exec(
        select(func.count()).select_from(ApiKey).where(col(ApiKey.revoked_at).is_(None))
    ).one()
    if active:
        return None
    _, secret = create_key(session, "admin", "initial-admin")
    return secret
