"""Creating, checking and revoking API keys.

A key is ``voc_<prefix>_<secret>`` with 256 random bits; only its sha256 is stored (a fast hash is enough
for a high-entropy secret, unlike a password). The prefix, stored in clear, identifies a key in lists and
logs; the lookup is by prefix and the hash comparison is constant-time.

Every API request presents its key, and the lookup is a database round trip (and a thread-pool hop in the
API): :class:`KeyCache` remembers the principals of keys that checked out, by the secret's sha256, for a
few seconds (``VOC_SERVER__KEY_CACHE_TTL_S``) and for a bounded number of keys. A key revoked through
:func:`voc.services.keys.withdraw_key` with the process's cache is forgotten at once, and is not cached
again until the TTL has passed (a request that read the key before the revocation committed cannot put it
back). Other processes (the other serving processes of ``voc serve``, a ``voc keys revoke`` on the
command line) do not see that: there a revoked key is refused at the latest a TTL later.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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


class KeyCache:
    """The principals of recently checked keys, by the secret's sha256: at most ``max_keys`` of them
    (the least recently used go first), each for ``ttl_s`` seconds after its database check; ``ttl_s``
    0 caches nothing. Thread-safe: the API checks keys on the event loop and in worker threads."""

    def __init__(
        self, ttl_s: float = 10.0, max_keys: int = 1024, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_s < 0 or max_keys < 1:
            raise ValueError("the key cache needs ttl_s >= 0 and max_keys >= 1")
        self.ttl_s = ttl_s
        self.max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._withdrawn: dict[int, float] = {}  # key id → until when it is not cached again

    def get(self, digest: str) -> Principal | None:
        with self._lock:
            found = self._entries.get(digest)
            if found is None:
                return None
            principal, expires = found
            if self._clock() >= expires:
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return principal

    def put(self, digest: str, principal: Principal) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            now = self._clock()
            if self._withdrawn.get(principal.key_id, now) > now:
                return  # revoked a moment ago: the caller may have read it before the revocation
            self._entries[digest] = (principal, now + self.ttl_s)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_keys:
                self._entries.popitem(last=False)

    def forget(self, key_id: int) -> None:
        """Drop the key's entries and cache it no more for a TTL (it was revoked in this process)."""
        with self._lock:
            now = self._clock()
            for digest in [d for d, (p, _) in self._entries.items() if p.key_id == key_id]:
                del self._entries[digest]
            self._withdrawn = {k: t for k, t in self._withdrawn.items() if t > now}
            self._withdrawn[key_id] = now + self.ttl_s

    def __len__(self) -> int:
        return len(self._entries)


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


def cached_principal(cache: KeyCache, secret: str) -> Principal | None:
    """The principal of ``secret`` if the cache has it (no database needed), else ``None``."""
    if _prefix_of(secret) is None or len(secret) > 256:
        return None
    return cache.get(hash_secret(secret))


def authenticate(
    session: Session, secret: str, *, now: datetime | None = None, cache: KeyCache | None = None
) -> Principal | None:
    """The principal behind ``secret``, or ``None`` for an unknown, malformed or revoked key; from
    ``cache`` when it holds the key, else from the database (and then remembered there).

    Records when the key was last used, at most every ``LAST_USED_RESOLUTION`` and only on a database
    check (flushed; the caller commits): with a cache, it may lag by the cache's TTL more."""
    prefix = _prefix_of(secret)
    if prefix is None or len(secret) > 256:
        return None
    digest = hash_secret(secret)
    if cache is not None and (hit := cache.get(digest)) is not None:
        return hit
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
    principal = Principal(key_id=found.id, name=found.name, role=check_role(found.role))
    if cache is not None:
        cache.put(digest, principal)
    return principal


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
