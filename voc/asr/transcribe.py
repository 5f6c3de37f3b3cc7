"""Transcription of a decoded call into a timed, role-labelled :class:`Transcript`.

Path: split channels by layout → Silero VAD per channel (a silent or noise-only channel yields no chunks,
hence no text) → pack the speech chunks of both channels, in time order, into work units
(:mod:`voc.asr.units`; at least one per worker) → ``num_workers`` threads share one ``WhisperModel``
(loaded with ``num_workers`` CTranslate2 replicas, which release the GIL) and transcribe the units longest
first → map word times back to the call's clock, cutting a Whisper segment wherever its words fall in
different VAD chunks (each chunk belongs to one channel, hence one speaker) or pause for ``split_gap_s``
→ hallucination guards → roles for mono → time order → talk metrics.

Decoder guards on every call: language pinned (default "ja"), ``condition_on_previous_text=False`` (no
repetition loops carried across windows), Whisper's no-speech / log-prob / compression-ratio thresholds.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
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


def _split_text_by_chunks(segment: Any, unit: Unit) -> list[tuple[float, float, str, int]]:
    """Without word times: divide a segment that runs across VAD chunks at the text break (space or
    punctuation) nearest to where its time crosses each chunk boundary, in proportion to time."""
    first = unit.chunk_index(segment.start)
    last = unit.chunk_index(segment.end, is_end=True)
    text = segment.text.strip()
    if first == last or not text:
        return [(unit.to_call_time(segment.start, first), unit.to_call_time(segment.end, first), text, first)]
    span = max(segment.end - segment.start, 1e-6)
    breaks = [i for i in range(1, len(text)) if text[i] == " " or text[i - 1] in _BREAK_AFTER]
    pieces: list[tuple[float, float, str, int]] = []
    cut_from = 0
    for chunk in range(first, last + 1):
        lo, hi = unit.concat_bounds(chunk)
        t0, t1 = max(segment.start, lo), min(segment.end, hi)
        if chunk == last:
            cut_to = len(text)
        else:
            target = round((t1 - segment.start) / span * len(text))
            near = [b for b in breaks if b > cut_from and abs(b - target) <= max(3, len(text) // 6)]
            cut_to = min(near, key=lambda b: abs(b - target)) if near else max(cut_from, target)
        piece = text[cut_from:cut_to].strip()
        if piece:
            pieces.append((unit.to_call_time(t0, chunk), unit.to_call_time(t1, chunk), piece, chunk))
        cut_from = cut_to
    return pieces


def _split_segment(
    segment: Any, unit: Unit, speakers: Sequence[Speaker], split_gap_s: float
) -> list[TranscriptSegment]:
    """One Whisper segment (times in the unit's concatenated audio) → segments on the call's clock, cut
    where its words fall into different VAD chunks (another turn) or pause; each piece takes the speaker
    of the channel its chunk came from."""

    def make(start: float, end: float, text: str, chunk: int) -> TranscriptSegment:
        return TranscriptSegment(
            speaker=speakers[unit.channels[chunk]],
            start=round(float(start), 3),
            end=round(float(max(start, end)), 3),
            text=text.strip(),
            avg_logprob=float(segment.avg_logprob),
            no_speech_prob=float(segment.no_speech_prob),
        )

    words = segment.words
    if not words:
        return [make(*piece) for piece in _split_text_by_chunks(segment, unit)]
    chunks = [unit.chunk_index((word.start + word.end) / 2) for word in words]
    cuts = {0, len(words)}
    for i in range(1, len(words)):
        if chunks[i] != chunks[i - 1]:
            cuts.add(_natural_cut(words, i))
        elif words[i].start - words[i - 1].end >= split_gap_s:
            cuts.add(i)
    pieces: list[TranscriptSegment] = []
    for lo, hi in itertools.pairwise(sorted(cuts)):
        group = words[lo:hi]
        if not group:
            continue
        # Time the whole piece in the chunk most of its words fall into.
        chunk = max(set(chunks[lo:hi]), key=chunks[lo:hi].count)
        start = unit.to_call_time(group[0].start, chunk)
        end = unit.to_call_time(group[-1].end, chunk)
        pieces.append(make(start, end, "".join(word.word for word in group), chunk))
    return [piece for piece in pieces if piece.text]


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
            units = self._plan(channels, pool, batches)
            tracker = _ProgressTracker(units, progress)

            def run(index: int) -> None:
                unit = units[index]
                results[index] = self._transcribe_unit(unit, channels, index, tracker)

            def run_batch(indices: list[int]) -> dict[int, list[TranscriptSegment]]:
                return self._transcribe_batched(units, indices, channels, tracker)

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
            index = max(0, bisect.bisect_right(offsets, round(segment.start * WHISPER_SAMPLE_RATE)) - 1)
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
            split = _split_segment(local, units[index], speakers, gap)
            results[index].extend(split)
            if split:
                tracker.update(indices[index], units[index], split[-1].end)
        return {indices[i]: found for i, found in results.items()}

    def _transcribe_unit(
        self, unit: Unit, channels: list[ChannelAudio], index: int, tracker: _ProgressTracker
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
            pieces = _split_segment(segment, unit, speakers, gap)
            out.extend(pieces)
            if pieces:
                tracker.update(index, unit, pieces[-1].end)
        tracker.update(index, unit, unit.span_s[1])
        return out
