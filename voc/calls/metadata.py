"""The upload metadata CSV: ``call_id,file,agent,started_at,channels,customer_id,caller_number``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from voc.db.calls import CallCreate

COLUMNS = ("call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number")
JST = ZoneInfo("Asia/Tokyo")


class MetadataError(ValueError):
    pass


@dataclass(frozen=True)
class MetadataRow:
    line: int
    file: str
    meta: CallCreate


def parse_started_at(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise MetadataError(f"started_at は ISO 8601 で指定してください: {value!r}") from exc
    # Call recorders in Japan write local time without a zone.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=JST)


def make_meta(
    *,
    call_id: str | None,
    agent: str | None,
    started_at: str | None,
    channels: str | None,
    customer_id: str | None,
    caller_number: str | None,
    default_layout: str,
) -> CallCreate:
    return CallCreate(
        external_id=call_id or None,
        agent=agent or None,
        started_at=parse_started_at(started_at) if started_at else None,
        channel_layout=channels or default_layout,
        customer_id=customer_id or None,
        caller_number=caller_number or None,
    )


def read_metadata(path: Path, default_layout: str) -> dict[str, MetadataRow]:
    """Rows keyed by file name (as written in the CSV and by its base name)."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    missing = {"file"} - set(reader.fieldnames or [])
    if missing:
        raise MetadataError(f"{path}: 'file' 列がありません (columns: {', '.join(COLUMNS)})")
    rows: dict[str, MetadataRow] = {}
    for row in reader:
        clean = {k: (v or "").strip() for k, v in row.items() if k}
        try:
            meta = make_meta(
                call_id=clean.get("call_id"),
                agent=clean.get("agent"),
                started_at=clean.get("started_at"),
                channels=clean.get("channels"),
                customer_id=clean.get("customer_id"),
                caller_number=clean.get("caller_number"),
                default_layout=default_layout,
            )
        except ValueError as exc:
            raise MetadataError(f"{path}:{reader.line_num}: {exc}") from exc
        entry = MetadataRow(line=reader.line_num, file=clean["file"], meta=meta)
        rows[clean["file"]] = entry
        rows.setdefault(Path(clean["file"]).name, entry)
    return rows
