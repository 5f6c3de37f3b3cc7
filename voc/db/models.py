"""Imports every table module so that ``SQLModel.metadata`` knows them all (Alembic, tests)."""

from sqlmodel import SQLModel

from voc.db import calls, customers, workers

metadata = SQLModel.metadata

__all__ = ["calls", "customers", "metadata", "workers"]
