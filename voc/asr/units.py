"""Work units: the call's speech, cut by VAD per channel and packed into pieces for the worker threads.

Each channel is run through Silero VAD once (faster-whisper's own ``get_speech_timestamps``). The speech
chunks are packed in time order into units of at most ``max_unit_speech_s`` seconds of speech; a unit's
chunks are concatenated (silence removed, as faster-whisper's ``vad_filter`` does) and transcribed on
their own, so that the workers share the work of one call. :class:`Unit` maps times in the concatenated
audio back to the call's clock and knows each chunk's channel, hence its speaker.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voc.asr.options import VadParameters

__all__ = ["Unit", "plan_units", "speech_chunks"]


def speech_chunks(
    samples: npt.NDArray[np.float32], vad: VadParameters, sample_rate: int, max_chunk_s: float = float("inf")
) -> list[tuple[int, int]]:
    """Speech chunks as (start, end) sample indices; empty for a silent or noise-only channel. Chunks
    longer than ``max_chunk_s`` are cut at a short pause (Silero's ``max_speech_duration_s``)."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps  # heavy import, deferred

    if samples.size == 0:
        return []
    chunks = get_speech_timestamps(
        samples,
        VadOptions(
            threshold=vad.threshold,
            min_speech_duration_ms=vad.min_speech_duration_ms,
            min_silence_duration_ms=vad.min_silence_duration_ms,
            speech_pad_ms=vad.speech_pad_ms,
            max_speech_duration_s=max_chunk_s,
        ),
        sampling_rate=sample_rate,
    )
    return [(int(chunk["start"]), int(chunk["end"])) for chunk in chunks]


@dataclass(frozen=True, eq=False)
class Unit:
    """Speech chunks, in time order, transcribed as one piece of audio; ``channels[i]`` is the channel of
    ``chunks[i]`` (a unit may interleave both parties' turns)."""

    chunks: tuple[tuple[int, int], ...]  # (start, end) samples on the call's clock
    channels: tuple[int, ...]
    sample_rate: int

    @property
    def speech_s(self) -> float:
        return sum(end - start for start, end in self.chunks) / self.sample_rate

    @property
    def span_s(self) -> tuple[float, float]:
        return min(c[0] for c in self.chunks) / self.sample_rate, max(
            c[1] for c in self.chunks
        ) / self.sample_rate

    def audio(self, signals: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
        return np.concatenate(
            [
                signals[channel][start:end]
                for (start, end), channel in zip(self.chunks, self.channels, strict=True)
            ]
        )

    def _cumulative(self) -> list[int]:
        ends, total = [], 0
        for start, end in self.chunks:
            total += end - start
            ends.append(total)
        return ends

    def concat_bounds(self, chunk: int) -> tuple[float, float]:
        """Where chunk ``chunk`` starts and ends in the concatenated audio (seconds)."""
        ends = self._cumulative()
        before = ends[chunk - 1] if chunk > 0 else 0
        return before / self.sample_rate, ends[chunk] / self.sample_rate

    def chunk_index(self, t: float, *, is_end: bool = False) -> int:
        """Which chunk the concatenated-audio time ``t`` (seconds) falls in; at a boundary, an end time
        belongs to the chunk before it."""
        sample = round(t * self.sample_rate)
        ends = self._cumulative()
        index = bisect.bisect_left(ends, sample) if is_end else bisect.bisect_right(ends, sample)
        return min(index, len(self.chunks) - 1)

    def to_call_time(self, t: float, chunk: int) -> float:
        """Map a concatenated-audio time to the call's clock, as if it lay in chunk ``chunk``."""
        ends = self._cumulative()
        before = ends[chunk - 1] if chunk > 0 else 0
        start = self.chunks[chunk][0]
        return (start + t * self.sample_rate - before) / self.sample_rate


def plan_units(
    chunks_by_channel: Sequence[Sequence[tuple[int, int]]],
    *,
    max_unit_speech_s: float,
    sample_rate: int,
    interleave: bool = True,
    min_units: int = 1,
) -> list[Unit]:
    """Pack speech chunks into units of at most ``max_unit_speech_s`` seconds of speech (a longer chunk
    forms a unit of its own).

    ``interleave``: all channels' chunks in time order share units, which fills Whisper's 30 s windows
    like a mono mix would (each channel alone would half-fill them) and gives Whisper the conversation
    as context; the speech is split evenly into at least ``min_units`` units so that every worker has
    one. Otherwise each channel is packed on its own, in order.
    """
    limit = max_unit_speech_s * sample_rate
    if interleave:
        streams = [
            sorted(
                (start, end, channel)
                for channel, chunks in enumerate(chunks_by_channel)
                for start, end in chunks
            )
        ]
    else:
        streams = [
            [(start, end, channel) for start, end in chunks]
            for channel, chunks in enumerate(chunks_by_channel)
        ]
    units: list[Unit] = []
    for stream in streams:
        total = sum(end - start for start, end, _ in stream)
        if not total:
            continue
        n_units = max(min_units if interleave else 1, math.ceil(total / limit))
        target = min(limit, total / n_units)
        current: list[tuple[int, int, int]] = []
        speech = 0
        for start, end, channel in stream:
            if current and (speech >= target or speech + (end - start) > limit):
                units.append(_unit(current, sample_rate))
                current, speech = [], 0
            current.append((start, end, channel))
            speech += end - start
        if current:
            units.append(_unit(current, sample_rate))
    return units


def _unit(items: list[tuple[int, int, int]], sample_rate: int) -> Unit:
    return Unit(tuple((start, end) for start, end, _ in items), tuple(ch for _, _, ch in items), sample_rate)
