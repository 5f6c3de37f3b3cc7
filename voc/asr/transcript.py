"""The transcript data model: timed, role-labelled segments."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Speaker(StrEnum):
    """Who speaks a segment; written as its value in the database, JSON and exports."""

    OPERATOR = "operator"
    CUSTOMER = "customer"
    UNKNOWN = "unknown"  # a mono call whose roles could not be told apart


SPEAKERS: tuple[Speaker, ...] = tuple(Speaker)


@dataclass(frozen=True)
class TranscriptSegment:
    """One stretch of one speaker's speech; times in seconds from the start of the call."""

    speaker: Speaker
    start: float
    end: float
    text: str
    avg_logprob: float  # mean token log-probability Whisper gave the text (0 is certain)
    no_speech_prob: float  # Whisper's probability that the window held no speech
    voice: int | None = None  # mono calls: which of the two voices spoke it (voc.asr.voices)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True)
class Transcript:
    """A whole call. ``segments`` are in time order; ``channels`` is the channel layout actually used
    (``stereo_operator_left`` | ``stereo_operator_right`` | ``mono``); ``metrics``: see
    :mod:`voc.asr.metrics`."""

    segments: tuple[TranscriptSegment, ...]
    duration_s: float
    channels: str
    language: str
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """All text in time order, without speaker labels."""
        return "".join(segment.text for segment in self.segments)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)
