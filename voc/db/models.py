"""Imports every table module so that ``SQLModel.metadata`` knows them all (Alembic, tests)."""

from sqlmodel import SQLModel

from voc.db import audit, calls, customers, security, signals, topics, webhooks, workers

metadata = SQLModel.metadata

__all__ = ["audit", "calls", "customers", "metadata", "security", "signals", "topics", "webhooks", "workers"]
