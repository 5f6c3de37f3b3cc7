"""Topic models (versioned), their topics with analyst names, and each call's assignment per version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from voc.db.types import UTCDateTime, utcnow


class TopicModelVersion(SQLModel, table=True):
    """One fitted model. Old versions stay, so earlier assignments remain queryable."""

    __tablename__ = "topic_model_versions"
    __table_args__ = (
        # At most one active version (migration 0005).
        Index(
            "uq_topic_model_versions_one_active",
            "active",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    active: bool = Field(default=False, index=True)
    n_topics: int
    n_docs: int
    k_scores: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Topic(SQLModel, table=True):
    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("version_id", "index", name="uq_topics_version_index"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="topic_model_versions.id", index=True, ondelete="CASCADE")
    index: int = Field(description="The topic's column in the model.")
    label: str = Field(max_length=256, description="From the distinctive terms (c-TF-IDF).")
    name: str | None = Field(default=None, max_length=256, description="The analyst's name; survives refits.")
    terms: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    features: list[list[Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    vector: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    n_docs: int = 0

    @property
    def display_name(self) -> str:
        return self.name or self.label


class TopicPublic(SQLModel):
    id: int
    index: int
    label: str
    name: str | None


class TopicAssignment(SQLModel, table=True):
    __tablename__ = "topic_assignments"
    __table_args__ = (UniqueConstraint("call_id", "version_id", name="uq_topic_assignments_call_version"),)

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True, ondelete="CASCADE")
    version_id: int = Field(foreign_key="topic_model_versions.id", index=True, ondelete="CASCADE")
    topic_index: int = Field(description="-1: no topic (nothing the model knows was said).")
    weight: float = 0.0
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
