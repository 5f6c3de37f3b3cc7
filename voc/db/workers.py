"""Workers announce themselves so that ``voc calls ingest --wait``, ``/readyz`` and ``voc calls list`` know
whether someone will do the work."""

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


class WorkerSupervisor(SQLModel, table=True):
    """A ``voc serve`` / ``voc worker`` that keeps worker processes alive: how many it wants, how many
    live, and why the last one died, so that other processes (the API, ``voc calls list``) can tell."""

    __tablename__ = "worker_supervisors"

    supervisor_id: str = Field(primary_key=True, max_length=128)
    hostname: str = Field(max_length=255)
    pid: int
    desired: int
    alive: int
    restarts: int = 0
    last_exit: str | None = Field(default=None, max_length=255)
    last_exit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    heartbeat_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
