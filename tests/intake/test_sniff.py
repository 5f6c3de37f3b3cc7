"""Content sniffing: the bytes decide, not the name."""

from __future__ import annotations

import struct

import pytest

from voc.intake.sniff import sniff, wav_claim


@pytest.mark.parametrize(
    ("head", "demuxer"),
    [
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "wav"),
        (b"fLaC\x00\x00\x00\x22", "flac"),
        (b"OggS\x00\x02", "ogg"),
        (b"ID3\x04\x00", "mp3"),
        (b"\xff\xfb\x90\x00", "mp3"),
        (b"\xff\xf1\x50\x80", "aac"),
        (b"\x00\x00\x00\x20ftypM4A ", "mov"),
        (b"\x1a\x45\xdf\xa3\x01", "matroska"),
    ],
)
def test_audio_signatures(head: bytes, demuxer: str) -> None:
    assert sniff(head).demuxer == demuxer
    assert sniff(head).not_audio is None


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"%PDF-1.7\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"PK\x03\x04", "ZIP"),
        ("請求書です".encode(), "text"),
    ],
)
def test_obvious_non_audio_is_named(head: bytes, what: str) -> None:
    verdict = sniff(head)
    assert verdict.not_audio is not None
    assert what in verdict.not_audio


def test_unknown_binary_is_left_to_the_probe() -> None:
    assert sniff(bytes(range(1, 200))).demuxer is None


def test_wav_claim_reads_the_data_chunk_size() -> None:
    header = (
        b"RIFF" + struct.pack("<I", 0) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    )
    claim = wav_claim(header + b"data" + struct.pack("<I", 160000))
    assert claim is not None
    assert claim.data_offset == 44
    assert claim.claimed_s == 10.0
    assert wav_claim(header + b"data" + struct.pack("<I", 0xFFFFFFFF)) is None
