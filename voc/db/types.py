"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import Field, PlainSerializer, WithJsonSchema
from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_E = TypeVar("_E", bound=StrEnum)


def utcnow() -> datetime:
    return datetime.now(UTC)


#: A datetime that JSON writes as ``datetime.isoformat()`` (``+00:00``, not ``Z``): how the documents other
#: tools read (call detail, exports, search hits) have always written their times.
IsoDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

#: The same time already written as text (``isoformat()``), in a typed document (``TypedDict``).
IsoTimestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes on every backend: stored as UTC, returned aware.

    SQLite keeps no zone, so naive values read back are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone (ISO 8601 with offset)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EnumText(TypeDecorator[_E]):
    """A ``StrEnum`` column stored as its text (``VARCHAR(length)``, no database enum type, so adding a
    member needs no migration); rows read back as members. A bound value is sent as its text unchecked:
    a filter on an unknown value (``?status=bogus``) matches nothing instead of failing."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[_E], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: _E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> _E | None:
        return None if value is None else self.enum(value)
