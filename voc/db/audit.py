"""The audit log (APPI): who played, downloaded, exported or deleted what, when and from where.

Rows keep the key's id and name as they were (no foreign key), so revoking a key keeps its history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from voc.db.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    key_id: int | None = Field(default=None, index=True)
    key_name: str | None = Field(default=None, max_length=128)
    role: str | None = Field(default=None, max_length=16)
    action: str = Field(index=True, max_length=32, description="audio.play, call.delete, customer.erase…")
    resource_type: str = Field(max_length=32)
    resource_id: str | None = Field(default=None, index=True, max_length=128)
    ip: str | None = Field(default=None, max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AuditEntryPublic(SQLModel):
    id: int
    at: datetime
    key_id: int | None
    key_name: str | None
    role: str | None
    action: str
    resource_type: str
    resource_id: str | None
    ip: str | None
    detail: dict[str, Any]
