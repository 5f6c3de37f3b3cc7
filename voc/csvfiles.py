"""Reading the CSV files users bring (CRM exports, upload metadata), shared by the CLI, the API and the UI.

Excel in Japan saves CSV as Shift_JIS (CP932) unless told otherwise, and as UTF-8 with a BOM when it is:
both, and plain UTF-8, are read. Rows come with the line they start on, so that every bad row can be named
while the good ones still load.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from voc.errors import InvalidInputError

# What a Japanese CSV is realistically written in; the detector is kept to these so that a short
# Shift_JIS file is not taken for a Chinese or Western code page.
JAPANESE_ENCODINGS = ("cp932", "shift_jis", "euc_jp", "iso2022_jp", "utf_16")


class CsvEncodingError(InvalidInputError):
    """The bytes are not text in any encoding a Japanese CSV is written in."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # the physical line the record starts on (1 is the header)
    values: dict[str, str]  # header (stripped) → value (stripped); extra cells are dropped


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else the detected Japanese encoding (CP932 for Shift_JIS)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _undecodable(exc) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as first:
        best = from_bytes(data, cp_isolation=list(JAPANESE_ENCODINGS)).best()
        if best is None:
            raise _undecodable(first) from first
        encoding = best.encoding
        # CP932 is Shift_JIS plus the characters Windows adds (①, ㈱, 髙…): read Shift_JIS as CP932.
        if encoding in ("shift_jis", "cp932"):
            encoding = "cp932"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise _undecodable(exc) from exc


def _undecodable(exc: UnicodeDecodeError) -> CsvEncodingError:
    return CsvEncodingError(
        "CSV の文字コードを判別できません。UTF-8 か Shift_JIS で保存してください "
        f"(not UTF-8 or Shift_JIS/CP932: byte {exc.start})"
    )


def read_csv_file(path: Path) -> str:
    return decode_csv(path.read_bytes())


def iter_rows(text: str) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and the data rows with their starting line; blank lines are skipped.

    A record the csv module cannot read (a field past its size limit) ends the file with a
    :class:`CsvSyntaxError` naming its line; the rows before it are still yielded.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CsvSyntaxError(1, str(exc)) from exc
    if header is None:
        return [], iter(())
    names = [name.strip() for name in header]

    def rows() -> Iterator[CsvRow]:
        previous = reader.line_num
        while True:
            start = previous + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CsvSyntaxError(start, str(exc)) from exc
            previous = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            values = {name: cell.strip() for name, cell in zip(names, record, strict=False) if name}
            yield CsvRow(line=start, values=values)

    return names, rows()


class CsvSyntaxError(InvalidInputError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"CSV の形式が正しくありません ({reason})")
        self.line = line
