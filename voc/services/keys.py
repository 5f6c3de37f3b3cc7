"""API keys: create, revoke — the same checks and the same audit trail from ``voc keys`` and the API."""

from __future__ import annotations

from sqlmodel import Session

from voc.audit.log import record
from voc.db.security import ApiKey
from voc.errors import ConflictError, NotFoundError
from voc.security.keys import KeyCache, Principal, create_key, revoke_key


def issue_key(
    session: Session, role: str, name: str | None, *, actor: Principal | None, ip: str | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret (shown once); ``actor`` is ``None`` on the command line (the system)."""
    key, secret = create_key(session, role, name)
    record(
        session,
        "key.create",
        "api_key",
        key.id,
        actor=actor,
        ip=ip,
        detail={"role": key.role, "name": key.name},
    )
    return key, secret


def withdraw_key(
    session: Session,
    key_id: int,
    *,
    actor: Principal | None,
    ip: str | None = None,
    cache: KeyCache | None = None,
) -> ApiKey:
    """Revoke a key (it stays listed, for the audit trail). A caller cannot revoke the key it is using.
    ``cache``: the process's key cache, which forgets the key at once (other processes' caches keep it
    for at most their TTL: ``voc.security.keys``)."""
    if actor is not None and key_id == actor.key_id:
        raise ConflictError("使用中のキーは失効できません (cannot revoke the key making this request)")
    key = revoke_key(session, key_id)
    if key is None:
        raise NotFoundError(f"APIキーが見つかりません: {key_id} (no API key {key_id})")
    if cache is not None:
        cache.forget(key_id)
    record(session, "key.revoke", "api_key", key_id, actor=actor, ip=ip)
    return key
