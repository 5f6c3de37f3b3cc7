"""Workers announce themselves so that ``voc calls ingest --wait`` knows whether someone will do the work."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from voc.db.types import UTCDateTime, utcnow


class WorkerHeartbeat(SQLModel, table=True):
    __tablename__ = "worker_heartbeats"

    worker_id: str = Field(primary_key=True, max_length=128)
    hostname: str = Field(max_length=255)
    pid: int
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
