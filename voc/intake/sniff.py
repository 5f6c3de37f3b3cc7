"""Content sniffing: what the first bytes say a file is, whatever its name claims.

The result is only a hint for the decoder's demuxer choice (and a fast rejection of obvious non-audio such
as text, images, PDFs and archives); PyAV's own probe in the child process has the final word.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["SNIFF_BYTES", "Sniffed", "WavClaim", "sniff", "wav_claim"]

SNIFF_BYTES = 4096

# Signatures of common non-audio files that a misnamed upload tends to be.
_NOT_AUDIO = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
)


@dataclass(frozen=True)
class Sniffed:
    """``demuxer``: FFmpeg input format to try first, or None to let PyAV probe; ``not_audio``: why it is
    certainly not audio (None when it may be)."""

    demuxer: str | None
    not_audio: str | None = None


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the buffer is still text.
        try:
            text = head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)


def sniff(head: bytes) -> Sniffed:
    """Classify a file from its first :data:`SNIFF_BYTES` bytes."""
    if head.startswith((b"RIFF", b"RF64")) and head[8:12] == b"WAVE":
        return Sniffed("wav")
    if head.startswith(b"fLaC"):
        return Sniffed("flac")
    if head.startswith(b"OggS"):
        return Sniffed("ogg")
    if head.startswith(b"ID3"):
        return Sniffed("mp3")
    if head[4:8] == b"ftyp":
        return Sniffed("mov")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("matroska")
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return Sniffed("aiff")
    if head.startswith(b"caff"):
        return Sniffed("caf")
    if head.startswith(b"#!AMR"):
        return Sniffed("amr")
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return Sniffed("aac")  # ADTS: sync word 0xFFF, layer bits 00
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return Sniffed("mp3")  # MPEG audio frame sync without an ID3 tag
    for magic, what in _NOT_AUDIO:
        if head.startswith(magic):
            return Sniffed(None, f"the content is {what}, not audio")
    if head and _looks_like_text(head):
        return Sniffed(None, "the content is text, not audio")
    return Sniffed(None)


@dataclass(frozen=True)
class WavClaim:
    """What a WAV header says: where the samples start, how many bytes of them, and bytes per second."""

    data_offset: int
    data_bytes: int
    byte_rate: int

    @property
    def claimed_s(self) -> float:
        return self.data_bytes / self.byte_rate if self.byte_rate else 0.0


def wav_claim(head: bytes) -> WavClaim | None:
    """The data size a RIFF/WAVE header declares (FFmpeg silently clamps it to the file size, so a header
    that promises far more audio than the file holds is only visible here). None when not stated."""
    if not (head.startswith(b"RIFF") and head[8:12] == b"WAVE"):
        return None
    offset, byte_rate = 12, 0
    while offset + 8 <= len(head):
        chunk_id, size = head[offset : offset + 4], struct.unpack_from("<I", head, offset + 4)[0]
        if chunk_id == b"fmt " and offset + 16 <= len(head):
            byte_rate = struct.unpack_from("<I", head, offset + 16)[0]
        if chunk_id == b"data":
            if size in (0, 0xFFFFFFFF):  # streaming writers leave the size open
                return None
            return WavClaim(offset + 8, size, byte_rate)
        offset += 8 + size + (size & 1)
    return None
