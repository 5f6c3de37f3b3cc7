"""The upload metadata CSV: ``call_id,file,agent,started_at,channels,customer_id,caller_number``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from voc.csvfiles import CsvEncodingError, CsvRow, CsvSyntaxError, iter_rows, read_csv_file
from voc.customers.phones import normalise_phone
from voc.db.calls import CallCreate
from voc.errors import InvalidInputError

COLUMNS = ("call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number")
JST = ZoneInfo("Asia/Tokyo")


class MetadataError(InvalidInputError):
    """A metadata CSV, or one of its values, that cannot be read."""


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


CHANNEL_LAYOUTS = ("stereo_operator_left", "stereo_operator_right", "mono")


def normalise_layout(value: str | None, default_layout: str) -> str:
    """``channels`` as users write it: any case, and plain ``stereo`` for the configured stereo layout."""
    if not value:
        return default_layout
    layout = value.strip().lower()
    if layout == "stereo":
        return default_layout if default_layout != "mono" else "stereo_operator_left"
    if layout not in CHANNEL_LAYOUTS:
        raise MetadataError(f"channels は stereo, {', '.join(CHANNEL_LAYOUTS)} のいずれかです: {value!r}")
    return layout


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
    """One call's metadata from its fields as people write them: a metadata CSV row or an API upload."""
    if caller_number and normalise_phone(caller_number) is None:
        raise MetadataError(f"発信者番号を解釈できません: {caller_number!r}")
    try:
        return CallCreate(
            external_id=call_id or None,
            agent=agent or None,
            started_at=parse_started_at(started_at) if started_at else None,
            channel_layout=normalise_layout(channels, default_layout),
            customer_id=customer_id or None,
            caller_number=caller_number or None,
        )
    except ValidationError as exc:  # a field too long…: named, as every other bad value is
        raise MetadataError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from exc


@dataclass
class MetadataFile:
    """The good rows keyed by file name (as written and by base name), and every bad row's line and reason."""

    rows: dict[str, MetadataRow] = field(default_factory=dict)
    errors: list[tuple[int, str]] = field(default_factory=list)
    rejected_files: set[str] = field(default_factory=set)  # files named by a bad row: not ingested

    def get(self, file: Path) -> MetadataRow | None:
        return self.rows.get(str(file)) or self.rows.get(file.name)

    def is_rejected(self, file: Path) -> bool:
        return str(file) in self.rejected_files or file.name in self.rejected_files


def read_metadata(path: Path, default_layout: str) -> MetadataFile:
    """Read a metadata CSV file (UTF-8 or Shift_JIS); raises :class:`MetadataError` for the whole file."""
    try:
        text = read_csv_file(path)
    except CsvEncodingError as exc:
        raise MetadataError(f"{path}: {exc}") from exc
    return parse_metadata(text, default_layout, source=str(path))


def parse_metadata(text: str, default_layout: str, *, source: str = "CSV") -> MetadataFile:
    names, rows = iter_rows(text)
    if "file" not in names:
        raise MetadataError(f"{source}: 'file' 列がありません (columns: {', '.join(COLUMNS)})")
    result = MetadataFile()
    seen: dict[str, int] = {}
    try:
        for row in rows:
            _add_row(result, row, default_layout, seen)
    except CsvSyntaxError as exc:
        result.errors.append((exc.line, str(exc)))
    return result


def _add_row(result: MetadataFile, row: CsvRow, default_layout: str, seen: dict[str, int]) -> None:
    values = row.values
    file = values.get("file", "")
    if not file:
        result.errors.append((row.line, "file が空です (file is empty)"))
        return
    if file in seen:
        result.errors.append((row.line, f"{file} は {seen[file]} 行目にもあります (duplicate file)"))
        result.rejected_files.add(file)
        return
    seen[file] = row.line
    try:
        meta = make_meta(
            call_id=values.get("call_id"),
            agent=values.get("agent"),
            started_at=values.get("started_at"),
            channels=values.get("channels"),
            customer_id=values.get("customer_id"),
            caller_number=values.get("caller_number"),
            default_layout=default_layout,
        )
    except ValueError as exc:
        result.errors.append((row.line, f"{file}: {exc}"))
        result.rejected_files.add(file)
        return
    entry = MetadataRow(line=row.line, file=file, meta=meta)
    result.rows[file] = entry
    result.rows.setdefault(Path(file).name, entry)
