"""Transcription of a decoded call into a timed, role-labelled :class:`Transcript`.

Path: split channels by layout → Silero VAD per channel (a silent or noise-only channel yields no chunks,
hence no text; a mono mix is also clustered into two voices, :mod:`voc.asr.voices`) → pack the speech
chunks of both channels, in time order, into work units (:mod:`voc.asr.units`) → batches of units
through faster-whisper's ``BatchedInferencePipeline`` (one batch, or ``parallel`` batches at once on the
model's CTranslate2 replicas when the cores are free) → cut Whisper's segments into turns on the call's
clock (:mod:`voc.asr.turns`) → hallucination guards → roles for mono → time order → talk metrics.

Decoder guards on every call: language pinned (default "ja"), ``condition_on_previous_text=False`` (no
repetition loops carried across windows), Whisper's no-speech / log-prob / compression-ratio thresholds.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from voc.asr.channels import ChannelAudio, split_channels
from voc.asr.guards import filter_segments
from voc.asr.metrics import talk_metrics
from voc.asr.model import load_model
from voc.asr.options import AsrOptions, ChannelLayout
from voc.asr.roles import assign_roles
from voc.asr.transcript import Transcript, TranscriptSegment
from voc.asr.turns import split_segment
from voc.asr.units import Unit, plan_units, speech_chunks
from voc.asr.voices import VoiceMap, find_voices
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


def _balanced_groups(units: list[Unit], count: int) -> list[list[int]]:
    """Unit indices in ``count`` (or fewer) groups of about equal speech: longest unit first, each to
    the lightest group, so that parallel batches end close together."""
    groups: list[list[int]] = [[] for _ in range(min(count, len(units)))]
    load = [0.0] * len(groups)
    for index in sorted(range(len(units)), key=lambda i: -units[i].speech_s):
        lightest = load.index(min(load))
        groups[lightest].append(index)
        load[lightest] += units[index].speech_s
    return [sorted(group) for group in groups if group]


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
        parallel: int = 1,
    ) -> Transcript:
        """``transcribe`` with the layout as a plain string too (the pipeline's calling convention)."""
        return self.transcribe(audio, layout=layout, progress=progress, parallel=parallel)

    def transcribe_file(
        self,
        path: str | Path,
        *,
        layout: ChannelLayout | str | None = None,
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
        layout: ChannelLayout | str | None = None,
        progress: Progress | None = None,
        parallel: int = 1,
    ) -> Transcript:
        """Transcribe decoded 16 kHz audio. ``layout`` overrides ``options.channel_layout`` for this call;
        ``progress`` receives the fraction done (0–1] from worker threads. With ``parallel`` > 1 (and
        batching on) the speech is split into that many batches (at most ``options.num_workers``, the
        model's replicas) transcribed at once: for when the cores are otherwise idle."""
        if audio.sample_rate != WHISPER_SAMPLE_RATE:
            raise ValueError(f"expected {WHISPER_SAMPLE_RATE} Hz audio, got {audio.sample_rate} Hz")
        options = self.options
        applied, channels = split_channels(audio, ChannelLayout(layout) if layout else options.channel_layout)
        results: dict[int, list[TranscriptSegment]] = {}
        # One pool for both stages: VAD of the two channels, then the units, longest first so that the
        # workers finish close together. ONNX Runtime and CTranslate2 release the GIL.
        batches = max(1, min(parallel, options.num_workers)) if options.batch_size > 0 else 1
        threads = options.num_workers if options.batch_size == 0 else max(batches, len(channels))
        with ThreadPoolExecutor(threads, thread_name_prefix="voc-asr") as pool:
            voices_future = (
                pool.submit(find_voices, channels[0].samples, WHISPER_SAMPLE_RATE)
                if applied is ChannelLayout.MONO and options.mono_voices
                else None
            )
            units = self._plan(channels, pool, batches)
            voices = voices_future.result() if voices_future is not None else None
            tracker = _ProgressTracker(units, progress)

            def run(index: int) -> None:
                unit = units[index]
                results[index] = self._transcribe_unit(unit, channels, index, tracker, voices)

            def run_batch(indices: list[int]) -> dict[int, list[TranscriptSegment]]:
                return self._transcribe_batched(units, indices, channels, tracker, voices)

            if units and options.batch_size > 0:
                groups = _balanced_groups(units, batches)
                for done in pool.map(run_batch, groups):
                    results.update(done)
            elif units:
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

    def _plan(self, channels: list[ChannelAudio], pool: ThreadPoolExecutor, batches: int) -> list[Unit]:
        vad, longest = self.options.vad, self.options.max_unit_speech_s
        chunk_lists = list(
            pool.map(lambda ch: speech_chunks(ch.samples, vad, WHISPER_SAMPLE_RATE, longest), channels)
        )
        for channel, chunks in zip(channels, chunk_lists, strict=True):
            if not chunks:
                logger.info("no speech on the %s channel", channel.speaker)
        return plan_units(
            chunk_lists,
            max_unit_speech_s=self.options.max_unit_speech_s,
            sample_rate=WHISPER_SAMPLE_RATE,
            interleave=self.options.interleave_channels,
            min_units=batches if self.options.batch_size > 0 else self.options.num_workers,
        )

    def _decode_options(self) -> dict[str, Any]:
        options = self.options
        return {
            "language": options.language,
            "beam_size": options.beam_size,
            "condition_on_previous_text": False,
            "no_speech_threshold": options.no_speech_threshold,
            "log_prob_threshold": options.log_prob_threshold,
            "compression_ratio_threshold": options.compression_ratio_threshold,
            "word_timestamps": options.word_timestamps,
            "hotwords": options.hotwords,
            "vad_filter": False,  # units are already VAD speech only
        }

    def _transcribe_batched(
        self,
        all_units: list[Unit],
        indices: list[int],
        channels: list[ChannelAudio],
        tracker: _ProgressTracker,
        voices: VoiceMap | None = None,
    ) -> dict[int, list[TranscriptSegment]]:
        """The units ``indices`` back to back in one array, one clip per unit, through
        ``BatchedInferencePipeline`` (each unit is at most ``max_unit_speech_s`` <= 30 s); results keyed
        by unit index."""
        from faster_whisper import BatchedInferencePipeline  # heavy import, deferred

        options = self.options
        units = [all_units[i] for i in indices]
        signals = [channel.samples for channel in channels]
        pieces = [unit.audio(signals) for unit in units]
        offsets = list(itertools.accumulate((len(p) for p in pieces), initial=0))
        clips = [
            {"start": offsets[i] / WHISPER_SAMPLE_RATE, "end": offsets[i + 1] / WHISPER_SAMPLE_RATE}
            for i in range(len(units))
        ]
        pipeline = BatchedInferencePipeline(self.model_)
        segments, _info = pipeline.transcribe(
            np.concatenate(pieces),
            clip_timestamps=clips,
            batch_size=options.batch_size,
            # Stereo: speakers come from the channels and word times cut the turns. Mono: Whisper's own
            # segment timestamps mark the pauses where the other party takes over.
            without_timestamps=len(channels) > 1,
            **{k: v for k, v in self._decode_options().items() if k != "condition_on_previous_text"},
        )
        speakers = [channel.speaker for channel in channels]
        gap = options.mono_split_gap_s if len(channels) == 1 else options.split_gap_s
        results: dict[int, list[TranscriptSegment]] = {i: [] for i in range(len(units))}
        for segment in segments:  # consumed completely here (inside this thread)
            # Which clip (unit) the segment came from, by its middle: Whisper's start can fall a few
            # milliseconds before its clip's first sample, which would hand it to the previous unit.
            middle = round((segment.start + segment.end) / 2 * WHISPER_SAMPLE_RATE)
            index = max(0, bisect.bisect_right(offsets, middle) - 1)
            index = min(index, len(units) - 1)
            shift = offsets[index] / WHISPER_SAMPLE_RATE
            local = SimpleNamespace(
                start=segment.start - shift,
                end=segment.end - shift,
                text=segment.text,
                avg_logprob=segment.avg_logprob,
                no_speech_prob=segment.no_speech_prob,
                words=[
                    SimpleNamespace(start=w.start - shift, end=w.end - shift, word=w.word)
                    for w in segment.words or []
                ],
            )
            split = split_segment(local, units[index], speakers, gap, voices)
            results[index].extend(split)
            if split:
                tracker.update(indices[index], units[index], split[-1].end)
        return {indices[i]: found for i, found in results.items()}

    def _transcribe_unit(
        self,
        unit: Unit,
        channels: list[ChannelAudio],
        index: int,
        tracker: _ProgressTracker,
        voices: VoiceMap | None = None,
    ) -> list[TranscriptSegment]:
        options = self.options
        speakers = [channel.speaker for channel in channels]
        gap = options.mono_split_gap_s if len(channels) == 1 else options.split_gap_s
        segments, _info = self.model_.transcribe(
            unit.audio([channel.samples for channel in channels]), **self._decode_options()
        )
        out: list[TranscriptSegment] = []
        # faster-whisper decodes lazily while ``segments`` is iterated: consume it completely here.
        for segment in segments:
            pieces = split_segment(segment, unit, speakers, gap, voices)
            out.extend(pieces)
            if pieces:
                tracker.update(index, unit, pieces[-1].end)
        tracker.update(index, unit, unit.span_s[1])
        return out
