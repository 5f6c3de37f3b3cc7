"""Transcription options. Library code takes an :class:`AsrOptions`; entry points build it from settings."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from voc.paths import models_dir

__all__ = ["DEFAULT_MODEL_DIR", "AsrOptions", "ChannelLayout", "VadParameters"]

DEFAULT_MODEL_DIR = models_dir() / "whisper-base"


class ChannelLayout(StrEnum):
    """Which recorder channel carries whom. ``mono`` transcribes one mixed channel and guesses roles."""

    STEREO_OPERATOR_LEFT = "stereo_operator_left"
    STEREO_OPERATOR_RIGHT = "stereo_operator_right"
    MONO = "mono"


class VadParameters(BaseModel):
    """Silero VAD parameters (faster-whisper's ``VadOptions``), applied to each channel separately."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(0.5, gt=0.0, lt=1.0)
    min_speech_duration_ms: int = Field(0, ge=0)
    min_silence_duration_ms: int = Field(2000, ge=0)
    speech_pad_ms: int = Field(400, ge=0)


class AsrOptions(BaseModel):
    """Everything that shapes a transcription. Defaults are the measured fast path (docs/BENCHMARKS.md).

    A call's speech (VAD chunks of both channels, in time order) is cut into work units of at most
    ``max_unit_speech_s`` seconds of speech. With ``batch_size`` > 0 (default) the units go through
    faster-whisper's ``BatchedInferencePipeline`` as batches on ``cpu_threads`` threads; with 0,
    ``num_workers`` threads transcribe one unit each on ``cpu_threads`` threads (keep the product at or
    below the physical cores) and the speech is cut into at least ``num_workers`` units.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model_dir: Path = DEFAULT_MODEL_DIR
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = Field(2, ge=0)
    num_workers: int = Field(1, ge=1)
    beam_size: int = Field(5, ge=1)
    language: str = "ja"
    hotwords: str | None = None
    channel_layout: ChannelLayout = ChannelLayout.STEREO_OPERATOR_LEFT
    vad: VadParameters = VadParameters()
    # Also the longest VAD chunk. The batched pipeline decodes each unit once (no seek inside it): when
    # Whisper ends a long unit early, the rest of its speech is lost. 20 s instead of 28 s: CER of the
    # mono calls of the benchmark corpus 0.33 -> 0.20 (bench_03); whole corpus 0.195 -> 0.179, raw's CER.
    max_unit_speech_s: float = Field(20.0, gt=0.0, le=30.0)
    # Pack both parties' turns, in time order, into shared units (see voc.asr.units.plan_units).
    interleave_channels: bool = True
    # > 0: transcribe all units of a call as batches through faster-whisper's BatchedInferencePipeline
    # (one worker, cpu_threads threads; the measured fastest path on 2 cores). 0: one unit per worker
    # thread (num_workers x cpu_threads, e.g. 2 x 1).
    batch_size: int = Field(8, ge=0)
    # Whisper's own fallbacks (a window is re-decoded at higher temperature, or dropped as silence).
    no_speech_threshold: float | None = 0.6
    log_prob_threshold: float | None = -1.0
    compression_ratio_threshold: float | None = 2.4
    # With per-channel VAD a Whisper segment can span several turns of one party, with the other party's
    # turns in between. Word timings place the cut exactly (and also cut at pauses of ``split_gap_s``);
    # without them the text is divided at the space or punctuation nearest to the chunk boundary.
    word_timestamps: bool = True
    split_gap_s: float = Field(1.0, gt=0.0)
    # In a mono mix the other party's turn follows a short pause, so cut at shorter pauses there.
    mono_split_gap_s: float = Field(0.5, gt=0.0)
    # Mono: cluster the speech into two voices (voc.asr.voices), cut segments where the voice changes
    # and give each voice one role; without it, roles come from the words alone (voc.asr.roles).
    mono_voices: bool = True
    # Post-filter: a known silence phrase is dropped when the segment's avg_logprob is below this
    # or its no_speech_prob is above ``hallucination_no_speech_prob``.
    hallucination_logprob: float = -0.6
    hallucination_no_speech_prob: float = 0.3
