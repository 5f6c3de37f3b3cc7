"""CSV files as users bring them: UTF-8 with or without BOM, Shift_JIS / CP932 from Excel."""

from __future__ import annotations

import codecs

import pytest

from tests.sjis_csv import CRM_ROWS, crm_sjis
from voc.csvfiles import CsvEncodingError, CsvRow, CsvSyntaxError, decode_csv, iter_rows

TEXT = "customer_id,name\nC1,山田太郎\nC2,髙橋①㈱\n"


@pytest.mark.parametrize(
    "data",
    [TEXT.encode("utf-8"), codecs.BOM_UTF8 + TEXT.encode("utf-8"), TEXT.encode("cp932")],
    ids=["utf-8", "utf-8-bom", "cp932"],
)
def test_every_excel_encoding_reads_the_same(data: bytes) -> None:
    assert decode_csv(data) == TEXT


def test_a_whole_shift_jis_export_is_read() -> None:
    assert decode_csv(crm_sjis()).splitlines() == CRM_ROWS


def test_bytes_that_are_no_japanese_text_are_refused_clearly() -> None:
    with pytest.raises(CsvEncodingError, match="Shift_JIS"):
        decode_csv(bytes(range(128, 256)) * 4)


def test_rows_carry_the_line_they_start_on() -> None:
    names, rows = iter_rows('a,b\n1,2\n\n"multi\nline",3\n4,5\n')
    assert names == ["a", "b"]
    assert [(r.line, r.values["a"]) for r in rows] == [(2, "1"), (4, "multi\nline"), (6, "4")]


def test_a_broken_record_is_named_by_line_after_the_good_ones() -> None:
    # A field past the csv module's size limit (a stray quote swallowing the rest of a big file).
    _, rows = iter_rows("a,b\n1,2\n3," + "x" * 200_000 + "\n4,5\n")
    got: list[CsvRow] = []
    with pytest.raises(CsvSyntaxError) as info:
        got.extend(rows)
    assert [r.line for r in got] == [2] and info.value.line == 3
