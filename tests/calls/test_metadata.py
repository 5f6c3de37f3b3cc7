"""The upload metadata CSV: every bad row named by line, good rows kept, ``channels`` as users write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.calls.metadata import MetadataError, normalise_layout, parse_metadata, read_metadata

HEADER = "call_id,file,agent,started_at,channels,customer_id,caller_number\n"


def test_every_bad_row_is_reported_and_the_good_rows_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "calls.csv"
    rows = (
        "A1,a.flac,田中,2026-11-02T10:00:00,stereo,C1,\n"
        "A2,b.flac,佐藤,昨日,mono,,\n"
        "A3,sub/c.flac,鈴木,,MONO,,03-1234-5678\n"
        "A4,d.flac,,,quad,,\n"
        "A5,e.flac,,,,,12\n"
    )
    path.write_bytes((HEADER + rows).replace("\n", "\r\n").encode("cp932"))
    parsed = read_metadata(path, "stereo_operator_right")
    assert [line for line, _ in parsed.errors] == [3, 5, 6]
    assert "started_at" in parsed.errors[0][1] and "quad" in parsed.errors[1][1]
    assert "12" in parsed.errors[2][1]
    a = parsed.get(Path("recordings/a.flac"))
    assert a is not None and a.meta.channel_layout == "stereo_operator_right"
    assert a.meta.started_at is not None and a.meta.started_at.utcoffset() is not None
    c = parsed.get(Path("c.flac"))
    assert c is not None and c.meta.channel_layout == "mono" and c.line == 4
    assert parsed.is_rejected(Path("b.flac")) and parsed.is_rejected(Path("d.flac"))
    assert not parsed.is_rejected(Path("a.flac"))


def test_a_file_named_twice_is_a_bad_row() -> None:
    parsed = parse_metadata(HEADER + "A1,a.flac,,,,,\nA2,a.flac,,,,,\n", "mono")
    assert parsed.errors[0][0] == 3 and parsed.get(Path("a.flac")) is not None


def test_without_a_file_column_the_whole_file_is_refused() -> None:
    with pytest.raises(MetadataError, match="file"):
        parse_metadata("call_id,agent\nA1,田中\n", "mono")


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("stereo", "stereo_operator_left", "stereo_operator_left"),
        ("Stereo", "stereo_operator_right", "stereo_operator_right"),
        ("STEREO", "mono", "stereo_operator_left"),
        ("Stereo_Operator_Right", "mono", "stereo_operator_right"),
        ("", "mono", "mono"),
        (None, "stereo_operator_left", "stereo_operator_left"),
    ],
)
def test_channels_accept_stereo_and_any_case(value: str | None, default: str, expected: str) -> None:
    assert normalise_layout(value, default) == expected
