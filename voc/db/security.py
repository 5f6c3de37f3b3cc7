"""API keys: only a hash of the secret is stored, with a short visible prefix to tell keys apart."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from voc.db.types import UTCDateTime, utcnow


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_keys"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    role: str = Field(max_length=16, description="supervisor | analyst | integration | admin")
    prefix: str = Field(index=True, max_length=16, description="The key's first characters, shown in lists.")
    secret_sha256: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)


class ApiKeyPublic(SQLModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
