"""Signals: call-level signals with their evidence, analysts' feedback, trained models, customer flags.

- ``call_signals``: one row per (call, segment, signal type), replaced whenever the call is analysed again;
- ``signal_feedback``: an analyst's confirm / dismiss with who and when (kept across re-analysis; the text
  is a snapshot so that the label still trains a model after the signal row was replaced);
- ``signal_models``: the trained classifier per signal (pickle) and its held-out quality;
- ``customer_flags`` / ``customer_flag_events``: the customer-level flags in force and their history.

Deleting a call deletes these rows too: ``voc.calls.deletion`` finds every table with a ``call_id``.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from voc.db.types import EnumText, UTCDateTime, utcnow


class SignalSource(StrEnum):
    """Who decided: the rule book alone, the shipped detector, or a classifier trained on feedback."""

    BASELINE = "baseline"
    DETECTOR = "detector"
    MODEL = "model"


class SignalType(StrEnum):
    """What a customer's words in one segment show (the order is the detector's output columns)."""

    DISSATISFACTION = "dissatisfaction"
    VALUE_COMPLAINT = "value_complaint"  # the price is not worth what they get
    CHURN_INTENT = "churn_intent"
    COMPETITOR_MENTION = "competitor_mention"
    FEATURE_STRUGGLE = "feature_struggle"  # could not use the features


class FlagType(StrEnum):
    """A customer-level flag, derived from the customer's signals and usage."""

    COST_PERFORMANCE_GAP = "cost_performance_gap"  # a heavy user who finds it not worth the price
    UNDERUSE = "underuse"
    CHURN_RISK = "churn_risk"
    DISSATISFIED = "dissatisfied"


class FlagEvent(StrEnum):
    RAISED = "raised"
    CLEARED = "cleared"


class FeedbackLabel(StrEnum):
    """An analyst's verdict on a signal."""

    CONFIRM = "confirm"
    DISMISS = "dismiss"


SIGNAL_SOURCES = tuple(s.value for s in SignalSource)
FEEDBACK_LABELS = tuple(FeedbackLabel)
FLAG_EVENTS = tuple(FlagEvent)


class CallSignalRow(SQLModel, table=True):
    """A signal found in one segment of a call, with the evidence an analyst reads."""

    __tablename__ = "call_signals"

    id: int | None = Field(default=None, primary_key=True)
    call_id: int = Field(foreign_key="calls.id", index=True, ondelete="CASCADE")
    segment_id: int | None = Field(default=None, foreign_key="segments.id", ondelete="SET NULL")
    segment_idx: int
    type: SignalType = Field(index=True, sa_type=EnumText(SignalType, 32))
    score: float
    speaker: str = Field(max_length=16)
    start: float
    end: float
    text: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="baseline", max_length=16, description="baseline | detector | model")
    rule: str | None = Field(default=None, max_length=64, description="The baseline rule that matched.")
    matched: str | None = Field(default=None, max_length=256, description="The words the rule matched.")
    model_score: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignalFeedback(SQLModel, table=True):
    """An analyst's label on a flagged signal (or on a text the signal missed)."""

    __tablename__ = "signal_feedback"

    id: int | None = Field(default=None, primary_key=True)
    signal_id: int | None = Field(
        default=None, foreign_key="call_signals.id", index=True, ondelete="SET NULL"
    )
    call_id: int | None = Field(default=None, foreign_key="calls.id", index=True, ondelete="CASCADE")
    segment_idx: int | None = None
    type: SignalType = Field(index=True, sa_type=EnumText(SignalType, 32))
    text: str = Field(sa_column=Column(Text, nullable=False))
    label: str = Field(max_length=16, description="confirm | dismiss")
    note: str | None = Field(default=None, sa_column=Column(Text))
    user: str | None = Field(default=None, max_length=128)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignalModel(SQLModel, table=True):
    """The latest classifier trained for a signal from feedback, with its held-out quality."""

    __tablename__ = "signal_models"

    id: int | None = Field(default=None, primary_key=True)
    type: str = Field(max_length=32, unique=True)
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    n_labels: int
    active: bool = Field(default=False, description="Used only when it beats the baseline's F1.")
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    trained_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerFlag(SQLModel, table=True):
    """A customer-level flag: ``active`` while raised, with the signals that support it."""

    __tablename__ = "customer_flags"
    __table_args__ = (UniqueConstraint("customer_pk", "flag", name="uq_customer_flags_customer_flag"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_pk: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    flag: FlagType = Field(index=True, sa_type=EnumText(FlagType, 32))
    active: bool = True
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    raised_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cleared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CustomerFlagEvent(SQLModel, table=True):
    """History: a flag raised (``customer.flagged``) or cleared (``customer.flag_cleared``)."""

    __tablename__ = "customer_flag_events"

    id: int | None = Field(default=None, primary_key=True)
    customer_pk: int = Field(foreign_key="customers.id", index=True, ondelete="CASCADE")
    flag: FlagType = Field(sa_type=EnumText(FlagType, 32))
    event: FlagEvent = Field(sa_type=EnumText(FlagEvent, 16), description="raised | cleared")
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
