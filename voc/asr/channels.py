"""Channel split: which samples belong to the operator and which to the customer."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voc.asr.options import ChannelLayout
from voc.asr.transcript import Speaker
from voc.intake.errors import DecodedAudio

__all__ = ["ChannelAudio", "split_channels"]

logger = logging.getLogger(__name__)

# Channels this close are one signal written twice (a mono recording saved as stereo).
_SAME_SIGNAL_TOLERANCE = 1e-3


@dataclass(frozen=True, eq=False)
class ChannelAudio:
    """One channel's samples and who speaks on it (``unknown`` for a mono mix: roles are guessed later)."""

    speaker: Speaker
    samples: npt.NDArray[np.float32]


def _is_duplicated(left: npt.NDArray[np.float32], right: npt.NDArray[np.float32]) -> bool:
    return bool(left.size == 0 or float(np.max(np.abs(left - right))) <= _SAME_SIGNAL_TOLERANCE)


def split_channels(audio: DecodedAudio, layout: ChannelLayout) -> tuple[ChannelLayout, list[ChannelAudio]]:
    """Split ``audio`` by ``layout``; returns the layout actually applied and the channels.

    A stereo layout on a one-channel file, or on a file whose two channels are identical, falls back to
    ``mono`` (transcribing the same speech twice would duplicate every line).
    """
    channels = audio.channels
    if layout is not ChannelLayout.MONO and channels.shape[0] >= 2:
        left, right = channels[0], channels[1]
        if not _is_duplicated(left, right):
            left_is_operator = layout is ChannelLayout.STEREO_OPERATOR_LEFT
            operator, customer = (left, right) if left_is_operator else (right, left)
            return layout, [
                ChannelAudio(Speaker.OPERATOR, operator),
                ChannelAudio(Speaker.CUSTOMER, customer),
            ]
        logger.info("both channels carry the same signal; transcribing as mono")
    elif layout is not ChannelLayout.MONO:
        logger.info("layout %s asked for a one-channel file; transcribing as mono", layout.value)
    mixed = channels[0] if channels.shape[0] == 1 else channels.mean(axis=0, dtype=np.float32)
    return ChannelLayout.MONO, [ChannelAudio(Speaker.UNKNOWN, np.ascontiguousarray(mixed))]
