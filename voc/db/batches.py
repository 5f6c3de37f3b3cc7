"""Statements over many rows at once: ``IN`` lists in chunks, and the loaded objects they bypass.

An ``IN`` list is written into the statement (``literal_execute``), not bound: bound, a chunk's statement
is the same text each time, psycopg prepares it after five runs, and PostgreSQL's generic plan for
``= ANY(ARRAY[$1, …, $500])`` compares every row with every element (measured at 20,000 customers: 0.8 s
a chunk bound, 15 ms written). SQLAlchemy renders the values safely quoted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import BindParameter, bindparam
from sqlmodel import Session, SQLModel

#: Values per ``IN`` list.
CHUNK = 500

_T = TypeVar("_T")


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def literal_in(values: Sequence[Any]) -> BindParameter[Any]:
    """The right-hand side of ``column.in_(…)`` for one chunk, written into the statement."""
    return bindparam("values", list(values), expanding=True, literal_execute=True)


def expire_loaded(session: Session, model: type[SQLModel], ids: set[int]) -> None:
    """Objects of ``model`` this session had loaded are read again on next use: a Core statement
    changed their rows without them."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, model) and getattr(obj, "id", None) in ids:
            session.expire(obj)
