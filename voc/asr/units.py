"""Work units: one channel's speech, cut by VAD and packed into pieces for the worker threads.

Each channel is run through Silero VAD once (faster-whisper's own ``get_speech_timestamps``). Its speech
chunks are packed in time order into units of at most ``max_unit_speech_s`` seconds of speech; a unit's
chunks are concatenated (silence removed, as faster-whisper's ``vad_filter`` does) and transcribed on
their own, so that two workers can share the work of a call in which one party talks most of the time.
:class:`Unit` maps times in the concatenated audio back to the call's clock.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voc.asr.options import VadParameters
from voc.asr.transcript import Speaker

__all__ = ["Unit", "plan_units", "speech_chunks"]


def speech_chunks(
    samples: npt.NDArray[np.float32], vad: VadParameters, sample_rate: int
) -> list[tuple[int, int]]:
    """Speech chunks as (start, end) sample indices; empty for a silent or noise-only channel."""
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
        ),
        sampling_rate=sample_rate,
    )
    return [(int(chunk["start"]), int(chunk["end"])) for chunk in chunks]


@dataclass(frozen=True, eq=False)
class Unit:
    """Consecutive speech chunks of one channel, transcribed as one piece of audio."""

    channel: int
    speaker: Speaker
    chunks: tuple[tuple[int, int], ...]  # (start, end) samples on the call's clock
    sample_rate: int

    @property
    def speech_s(self) -> float:
        return sum(end - start for start, end in self.chunks) / self.sample_rate

    @property
    def span_s(self) -> tuple[float, float]:
        return self.chunks[0][0] / self.sample_rate, self.chunks[-1][1] / self.sample_rate

    def audio(self, samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return np.concatenate([samples[start:end] for start, end in self.chunks])

    def _cumulative(self) -> list[int]:
        ends, total = [], 0
        for start, end in self.chunks:
            total += end - start
            ends.append(total)
        return ends

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
    channel: int,
    speaker: Speaker,
    chunks: list[tuple[int, int]],
    max_unit_speech_s: float,
    sample_rate: int,
) -> list[Unit]:
    """Pack a channel's chunks, in order, into units of at most ``max_unit_speech_s`` seconds of speech
    (a chunk longer than that forms a unit of its own)."""
    units: list[Unit] = []
    current: list[tuple[int, int]] = []
    speech = 0
    limit = max_unit_speech_s * sample_rate
    for start, end in chunks:
        if current and speech + (end - start) > limit:
            units.append(Unit(channel, speaker, tuple(current), sample_rate))
            current, speech = [], 0
        current.append((start, end))
        speech += end - start
    if current:
        units.append(Unit(channel, speaker, tuple(current), sample_rate))
    return units
