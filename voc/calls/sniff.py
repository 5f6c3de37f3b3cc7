"""Telling audio from anything else by its first bytes, never by the file name."""

from __future__ import annotations

_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"fLaC", "flac"),
    (0, b"OggS", "ogg"),
    (0, b"ID3", "mp3"),
    (0, b"\x1a\x45\xdf\xa3", "webm"),
    (0, b"\x30\x26\xb2\x75", "wma"),
    (0, b"#!AMR", "amr"),
    (4, b"ftyp", "mp4"),
)


def sniff_audio(head: bytes) -> str | None:
    """The container/codec family of a file from its first ≥ 12 bytes, or ``None`` if it is not audio."""
    if head[:4] == b"RIFF" and head[8:12] in (b"WAVE", b"RF64"):
        return "wav"
    if head[:4] == b"RF64":
        return "wav"
    for offset, magic, kind in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return kind
    if len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0:
        # MPEG audio frame sync (mp3) or ADTS (raw AAC): 11 set bits.
        return "aac" if (head[1] & 0x06) == 0 and (head[1] & 0xF0) == 0xF0 else "mp3"
    return None
