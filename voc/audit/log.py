"""Writing and reading the audit log. Entries are written in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select, update

from voc.db.audit import AuditEntry
from voc.db.types import utcnow
from voc.security.keys import Principal

#: The actions that are recorded; exports by later routes use ``export``.
ACTIONS = (
    "call.upload",
    "audio.play",
    "audio.download",
    "export",
    "call.delete",
    "customer.erase",
    "customer.import",
    "audio.retention",
    "key.create",
    "key.revoke",
    "webhook.create",
    "webhook.update",
    "webhook.delete",
    "redaction.rerun",
)

#: What audit entries about erased records point to instead (the link to the person is cut, the access
#: history stays).
ERASED = "erased"


def record(
    session: Session,
    action: str,
    resource_type: str,
    resource_id: str | int | None = None,
    *,
    actor: Principal | None = None,
    ip: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one entry; ``actor`` is ``None`` for the system itself (retention, CLI)."""
    entry = AuditEntry(
        at=utcnow(),
        key_id=actor.key_id if actor else None,
        key_name=actor.name if actor else None,
        role=actor.role if actor else None,
        action=action,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        ip=ip,
        detail=detail or {},
    )
    session.add(entry)
    return entry


def query(
    session: Session,
    *,
    action: str | None = None,
    resource_type: str | None = None,
    resource_id: str | None = None,
    key_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first; ``before_id`` pages backwards."""
    stmt = select(AuditEntry).order_by(col(AuditEntry.id).desc())
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if resource_type:
        stmt = stmt.where(AuditEntry.resource_type == resource_type)
    if resource_id:
        stmt = stmt.where(AuditEntry.resource_id == resource_id)
    if key_id is not None:
        stmt = stmt.where(AuditEntry.key_id == key_id)
    if since is not None:
        stmt = stmt.where(col(AuditEntry.at) >= since)
    if until is not None:
        stmt = stmt.where(col(AuditEntry.at) < until)
    if before_id is not None:
        stmt = stmt.where(col(AuditEntry.id) < before_id)
    return list(session.exec(stmt.limit(limit)).all())


def detach(session: Session, resource_type: str, resource_ids: Sequence[str | int]) -> int:
    """Point earlier entries about erased records to nothing: who accessed something, when, stays."""
    ids = [str(r) for r in resource_ids]
    if not ids:
        return 0
    result = session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.resource_type) == resource_type, col(AuditEntry.resource_id).in_(ids))
        .values(resource_id=ERASED)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
