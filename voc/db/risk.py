"""Each customer's risk and health as last computed: the at-risk list and the customer list read these rows.

Written by ``voc.signals.risk`` whenever the customer's flags are recomputed (an analysed call, feedback,
a re-link, a CRM change); see that module for when the population-relative parts move.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, String, text
from sqlmodel import Field, SQLModel

from voc.db.types import UTCDateTime, utcnow

#: Ordered by code point on PostgreSQL too (as SQLite and Python order it), whatever the database's locale.
CUSTOMER_ID = String(128).with_variant(String(128, collation="C"), "postgresql")


class CustomerRisk(SQLModel, table=True):
    __tablename__ = "customer_risk"
    __table_args__ = (
        # The at-risk list: WHERE listed ORDER BY risk_score DESC, customer_id LIMIT n reads the index.
        Index("ix_customer_risk_listed_rank", "listed", text("risk_score DESC"), "customer_id"),
        # The customer list sorted by risk (its default).
        Index("ix_customer_risk_rank", text("risk_score DESC"), "customer_id"),
        Index("ix_customer_risk_health", "health_score", "customer_id"),
        # The daily rescoring's question: how old is the oldest row (MIN without a scan).
        Index("ix_customer_risk_computed_at", "computed_at"),
    )

    customer_pk: int = Field(foreign_key="customers.id", primary_key=True, ondelete="CASCADE")
    # The CRM id, copied: ties in the ranking go by it, and an index can only order by its own columns.
    customer_id: str = Field(sa_type=CUSTOMER_ID)
    risk_score: float
    health_score: int
    listed: bool = Field(description="A flag in force and not churned: on the at-risk list.")
    flags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    computed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
