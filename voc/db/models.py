"""Imports every table module so that ``SQLModel.metadata`` knows them all (Alembic, tests)."""

from sqlmodel import SQLModel

from voc.db import audit, calls, customers, risk, security, signals, topics, webhooks, workers

metadata = SQLModel.metadata

__all__ = [
    "audit",
    "calls",
    "customers",
    "metadata",
    "risk",
    "security",
    "signals",
    "topics",
    "webhooks",
    "workers",
]
