"""Transcription of a decoded call into a timed, role-labelled :class:`Transcript`.

Path: split channels by layout → Silero VAD per channel (a silent or noise-only channel yields no work and
no text) → pack each channel's speech into work units (:mod:`voc.asr.units`) → ``num_workers`` threads
share one ``WhisperModel`` (loaded with ``num_workers`` CTranslate2 replicas, which release the GIL) and
transcribe the units longest first → map word times back to the call's clock, cutting a Whisper segment
wherever its words fall in different VAD chunks or pause for ``split_gap_s`` → hallucination guards →
roles for mono → time order → talk metrics.

Decoder guards on every call: language pinned (default "ja"), ``condition_on_previous_text=False`` (no
repetition loops carried across windows), Whisper's no-speech / log-prob / compression-ratio thresholds.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voc.asr.channels import ChannelAudio, split_channels
from voc.asr.guards import filter_segments
from voc.asr.metrics import talk_metrics
from voc.asr.model import load_model
from voc.asr.options import AsrOptions, ChannelLayout
from voc.asr.roles import assign_roles
from voc.asr.transcript import Speaker, Transcript, TranscriptSegment
from voc.asr.units import Unit, plan_units, speech_chunks
from voc.intake.decode import DEFAULT_MAX_DURATION_S, DEFAULT_TIMEOUT_S, decode_file
from voc.intake.errors import DecodedAudio

__all__ = ["Progress", "Transcriber"]

logger = logging.getLogger(__name__)

Progress = Callable[[float], None]
WHISPER_SAMPLE_RATE = 16000


class _ProgressTracker:
    """Fraction of the planned speech transcribed so far, reported monotonically from any worker thread."""

    def __init__(self, units: list[Unit], callback: Progress | None) -> None:
        self._callback = callback
        self._total = sum(unit.span_s[1] - unit.span_s[0] for unit in units) or 1.0
        self._done: dict[int, float] = {}
        self._last = 0.0
        self._lock = threading.Lock()

    def update(self, unit_index: int, unit: Unit, position_s: float) -> None:
        if self._callback is None:
            return
        start, end = unit.span_s
        with self._lock:
            self._done[unit_index] = max(self._done.get(unit_index, 0.0), min(end, position_s) - start)
            fraction = float(min(1.0, sum(self._done.values()) / self._total))
            if fraction > self._last:
                self._last = fraction
                self._callback(fraction)

    def finish(self) -> None:
        if self._callback is not None and self._last < 1.0:
            self._last = 1.0
            self._callback(1.0)


_BREAK_AFTER = tuple("。、？！?!,.")
_SNAP_WORDS = 3


def _natural_cut(words: list[Any], cut: int) -> int:
    """Move a cut between ``words[cut - 1]`` and ``words[cut]`` to the nearest place within
    ``_SNAP_WORDS`` words where the text itself breaks (a space or punctuation): Whisper's word times
    are coarse, so a word at a chunk boundary is often timed into the wrong chunk ("ア|プリ")."""
    for distance in range(_SNAP_WORDS + 1):
        for candidate in (cut - distance, cut + distance):
            if candidate in (0, len(words)):  # the segment's own start or end
                return candidate
            if 0 < candidate < len(words) and (
                words[candidate].word.startswith(" ") or words[candidate - 1].word.endswith(_BREAK_AFTER)
            ):
                return candidate
    return cut


def _split_segment(segment: Any, unit: Unit, speaker: Speaker, split_gap_s: float) -> list[TranscriptSegment]:
    """One Whisper segment (times in the unit's concatenated audio) → segments on the call's clock, cut
    where its words fall into different VAD chunks (other speakers talked in between) or pause."""

    def make(start: float, end: float, text: str) -> TranscriptSegment:
        return TranscriptSegment(
            speaker=speaker,
            start=round(float(start), 3),
            end=round(float(max(start, end)), 3),
            text=text.strip(),
            avg_logprob=float(segment.avg_logprob),
            no_speech_prob=float(segment.no_speech_prob),
        )

    words = segment.words
    if not words:
        start = unit.to_call_time(segment.start, unit.chunk_index(segment.start))
        end = unit.to_call_time(segment.end, unit.chunk_index(segment.end, is_end=True))
        return [make(start, end, segment.text)]
    chunks = [unit.chunk_index((word.start + word.end) / 2) for word in words]
    cuts = {0, len(words)}
    for i in range(1, len(words)):
        if chunks[i] != chunks[i - 1]:
            cuts.add(_natural_cut(words, i))
        elif words[i].start - words[i - 1].end >= split_gap_s:
            cuts.add(i)
    pieces: list[TranscriptSegment] = []
    bounds = sorted(cuts)
    for lo, hi in itertools.pairwise(bounds):
        group = words[lo:hi]
        if not group:
            continue
        # Time the whole piece in the chunk most of its words fall into.
        chunk = max(set(chunks[lo:hi]), key=chunks[lo:hi].count)
        start = unit.to_call_time(group[0].start, chunk)
        end = unit.to_call_time(group[-1].end, chunk)
        pieces.append(make(start, end, "".join(word.word for word in group)))
    return pieces


class Transcriber:
    """Transcribes calls with one lazily loaded Whisper model (thread-safe; create it inside the worker
    process, after any fork). Pass ``model`` to share an already loaded ``WhisperModel``."""

    def __init__(self, options: AsrOptions | None = None, *, model: Any = None) -> None:
        self.options = options or AsrOptions()
        self._model = model
        self._lock = threading.Lock()

    @property
    def model_(self) -> Any:
        """The ``faster_whisper.WhisperModel``, loaded on first use."""
        with self._lock:
            if self._model is None:
                self._model = load_model(self.options)
            return self._model

    def __call__(
        self,
        audio: DecodedAudio,
        layout: ChannelLayout | str | None = None,
        progress: Progress | None = None,
    ) -> Transcript:
        """``transcribe`` with the layout as a plain string too (the pipeline's calling convention)."""
        return self.transcribe(audio, layout=ChannelLayout(layout) if layout else None, progress=progress)

    def transcribe_file(
        self,
        path: str | Path,
        *,
        layout: ChannelLayout | None = None,
        progress: Progress | None = None,
        decode_timeout_s: float = DEFAULT_TIMEOUT_S,
        max_duration_s: float = DEFAULT_MAX_DURATION_S,
    ) -> Transcript:
        """Decode ``path`` in a child process (:func:`voc.intake.decode_file`, may raise ``DecodeError``)
        and transcribe it."""
        audio = decode_file(path, timeout_s=decode_timeout_s, max_duration_s=max_duration_s)
        return self.transcribe(audio, layout=layout, progress=progress)

    def transcribe(
        self,
        audio: DecodedAudio,
        *,
        layout: ChannelLayout | None = None,
        progress: Progress | None = None,
    ) -> Transcript:
        """Transcribe decoded 16 kHz audio. ``layout`` overrides ``options.channel_layout`` for this call;
        ``progress`` receives the fraction done (0–1] from worker threads."""
        if audio.sample_rate != WHISPER_SAMPLE_RATE:
            raise ValueError(f"expected {WHISPER_SAMPLE_RATE} Hz audio, got {audio.sample_rate} Hz")
        options = self.options
        applied, channels = split_channels(audio, layout or options.channel_layout)
        results: dict[int, list[TranscriptSegment]] = {}
        # One pool for both stages: VAD of the two channels, then the units, longest first so that the
        # workers finish close together. ONNX Runtime and CTranslate2 release the GIL.
        with ThreadPoolExecutor(options.num_workers, thread_name_prefix="voc-asr") as pool:
            units = self._plan(channels, pool)
            tracker = _ProgressTracker(units, progress)

            def run(index: int) -> None:
                unit = units[index]
                results[index] = self._transcribe_unit(unit, channels[unit.channel].samples, index, tracker)

            if units:
                _ = self.model_  # load once, before the workers need it
                order = sorted(range(len(units)), key=lambda i: -units[i].speech_s)
                list(pool.map(run, order))
        tracker.finish()

        segments = [segment for index in range(len(units)) for segment in results[index]]
        segments = filter_segments(
            segments,
            logprob_below=options.hallucination_logprob,
            no_speech_above=options.hallucination_no_speech_prob,
            hotwords=options.hotwords,
        )
        segments.sort(key=lambda s: (s.start, s.end))
        if applied is ChannelLayout.MONO:
            segments = assign_roles(segments)
        return Transcript(
            segments=tuple(segments),
            duration_s=audio.duration_s,
            channels=applied.value,
            language=options.language,
            metrics=talk_metrics(segments, audio.duration_s),
        )

    def _plan(self, channels: list[ChannelAudio], pool: ThreadPoolExecutor) -> list[Unit]:
        vad, max_speech_s = self.options.vad, self.options.max_unit_speech_s
        chunk_lists = list(
            pool.map(lambda channel: speech_chunks(channel.samples, vad, WHISPER_SAMPLE_RATE), channels)
        )
        units: list[Unit] = []
        for index, (channel, chunks) in enumerate(zip(channels, chunk_lists, strict=True)):
            if not chunks:
                logger.info("no speech on the %s channel", channel.speaker)
            units.extend(plan_units(index, channel.speaker, chunks, max_speech_s, WHISPER_SAMPLE_RATE))
        return units

    def _transcribe_unit(
        self, unit: Unit, samples: npt.NDArray[np.float32], index: int, tracker: _ProgressTracker
    ) -> list[TranscriptSegment]:
        options = self.options
        segments, _info = self.model_.transcribe(
            unit.audio(samples),
            language=options.language,
            beam_size=options.beam_size,
            condition_on_previous_text=False,
            no_speech_threshold=options.no_speech_threshold,
            log_prob_threshold=options.log_prob_threshold,
            compression_ratio_threshold=options.compression_ratio_threshold,
            word_timestamps=options.word_timestamps,
            hotwords=options.hotwords,
            vad_filter=False,  # the unit is already VAD speech only
        )
        out: list[TranscriptSegment] = []
        # faster-whisper decodes lazily while ``segments`` is iterated: consume it completely here.
        for segment in segments:
            gap = options.mono_split_gap_s if unit.speaker == "unknown" else options.split_gap_s
            pieces = _split_segment(segment, unit, unit.speaker, gap)
            out.extend(pieces)
            if pieces:
                tracker.update(index, unit, pieces[-1].end)
        tracker.update(index, unit, unit.span_s[1])
        return out
