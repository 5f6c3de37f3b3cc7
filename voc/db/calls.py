"""Calls, their status history and their transcript segments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from voc.db.types import EnumText, UTCDateTime, utcnow


class CallStatus(StrEnum):
    """A call's life: queued → decoding → transcribing → analysing → done, or failed / dead (dead-lettered:
    every attempt used). Stored as its text, so the database and the API JSON hold the same values."""

    QUEUED = "queued"
    DECODING = "decoding"
    TRANSCRIBING = "transcribing"
    ANALYSING = "analysing"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"


CALL_STATUSES = tuple(CallStatus)
#: A worker holds the call's lease.
ACTIVE_STATUSES = (CallStatus.DECODING, CallStatus.TRANSCRIBING, CallStatus.ANALYSING)
#: Nothing more will happen to the call unless someone replays it.
FINISHED_STATUSES = (CallStatus.DONE, CallStatus.FAILED, CallStatus.DEAD)
#: What ``voc calls retry`` and ``POST /calls/{ref}/retry`` replay.
REPLAYABLE_STATUSES = (CallStatus.FAILED, CallStatus.DEAD)


class CallBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=128, description="The uploader's own call id.")
    agent: str | None = Field(default=None, max_length=128)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    channel_layout: str = Field(default="stereo_operator_left", max_length=32)
    caller_number: str | None = Field(default=None, max_length=32, description="E.164 once normalised.")


class Call(CallBase, table=True):
    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("external_id", name="uq_calls_external_id"),
        # The same file twice is one call, unless it comes under another external id: then it is another
        # call sharing the stored audio (the store is content-addressed).
        Index(
            "uq_calls_audio_sha256_anonymous",
            "audio_sha256",
            unique=True,
            sqlite_where=text("external_id IS NULL"),
            postgresql_where=text("external_id IS NULL"),
        ),
        # The calls list's default order: newest first by call time (else upload time), ties by id.
        Index("ix_calls_when_id", text("coalesce(started_at, created_at) DESC"), text("id DESC")),
    )

    id: int | None = Field(default=None, primary_key=True)
    audio_sha256: str = Field(index=True, max_length=64, description="Shared by calls of the same file.")
    audio_size: int = 0
    original_filename: str | None = Field(default=None, max_length=512)
    idempotency_key: str | None = Field(default=None, unique=True, max_length=128)
    customer_pk: int | None = Field(default=None, foreign_key="customers.id", index=True, ondelete="SET NULL")
    duration_s: float | None = None
    channels: int | None = None
    status: CallStatus = Field(default=CallStatus.QUEUED, index=True, sa_type=EnumText(CallStatus, 16))
    stage_progress: float = 0.0
    error: str | None = Field(default=None, sa_column=Column(Text))
    attempts: int = 0
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    not_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    redactions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CallCreate(CallBase):
    customer_id: str | None = Field(default=None, description="The CRM customer id, when known.")


class CallPublic(CallBase):
    id: int
    audio_sha256: str
    customer_id: str | None = None
    duration_s: float | None
    channels: int | None
    status: CallStatus
    stage_progress: float
    error: str | None
    attempts: int
    metrics: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CallStatusEvent(SQLModel, table=True):
    """The status history of a call: one row a transition."""

    __tablename__ = "call_status_events"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True, ondelete="CASCADE")
    status: CallStatus = Field(sa_type=EnumText(CallStatus, 16))
    detail: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SegmentBase(SQLModel):
    speaker: str = Field(max_length=16, description="operator | customer | unknown")
    start: float
    end: float
    text: str = Field(sa_column=Column(Text, nullable=False))


class Segment(SegmentBase, table=True):
    __tablename__ = "segments"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True, ondelete="CASCADE")
    idx: int
    avg_logprob: float | None = None
    no_speech_prob: float | None = None
    tokens: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class SegmentPublic(SegmentBase):
    pass
