"""The result and error types of decoding."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

import numpy as np
import numpy.typing as npt

DecodeErrorKind = Literal["not audio", "truncated", "empty", "too long", "timeout", "decoder crashed"]
DECODE_ERROR_KINDS: Final[tuple[str, ...]] = get_args(DecodeErrorKind)


class DecodeError(Exception):
    """A file could not be turned into audio. ``kind`` is one of :data:`DECODE_ERROR_KINDS`."""

    def __init__(self, kind: DecodeErrorKind, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind: DecodeErrorKind = kind
        self.message = message


@dataclass(frozen=True, eq=False)
class DecodedAudio:
    """float32 samples, one row per channel, at ``sample_rate`` (16 kHz from :func:`decode_file`)."""

    channels: npt.NDArray[np.float32]  # shape (n_channels, n_samples)
    sample_rate: int
    duration_s: float
    source_format: str = ""  # the demuxer that read it, e.g. "flac", "mov,mp4,m4a,3gp,3g2,mj2"
    source_sample_rate: int = 0

    @property
    def n_channels(self) -> int:
        return int(self.channels.shape[0])
