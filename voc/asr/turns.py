"""Whisper segments → turns on the call's clock.

A unit's audio is speech chunks of both channels (or of a mono mix) back to back, so one Whisper
segment can run across chunks, hence across turns and speakers. Word times place the cuts: where the
words move to another VAD chunk (each chunk belongs to one channel), where the voice changes in a
mono call (:mod:`voc.asr.voices`), or at a pause. Without word times the text is divided at the text
break nearest to where the segment's time crosses a chunk boundary.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from voc.asr.transcript import Speaker, TranscriptSegment
from voc.asr.units import Unit
from voc.asr.voices import VoiceMap

__all__ = ["split_segment"]

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


def _word_voices(words: list[Any], chunks: list[int], unit: Unit, voices: VoiceMap) -> list[int | None]:
    """Each word's voice; a word away from every island takes its neighbour's."""
    found = [
        voices.voice_at(unit.to_call_time((word.start + word.end) / 2, chunk))
        for word, chunk in zip(words, chunks, strict=True)
    ]
    for i in range(1, len(found)):
        if found[i] is None:
            found[i] = found[i - 1]
    for i in range(len(found) - 2, -1, -1):
        if found[i] is None:
            found[i] = found[i + 1]
    return found


def split_segment(
    segment: Any,
    unit: Unit,
    speakers: Sequence[Speaker],
    split_gap_s: float,
    voices: VoiceMap | None = None,
) -> list[TranscriptSegment]:
    """One Whisper segment (times in the unit's concatenated audio) → segments on the call's clock, cut
    where its words fall into different VAD chunks (another turn), change voice (mono, with ``voices``)
    or pause; each piece takes the speaker of the channel its chunk came from, and its voice."""

    def make(start: float, end: float, text: str, chunk: int, voice: int | None = None) -> TranscriptSegment:
        return TranscriptSegment(
            speaker=speakers[unit.channels[chunk]],
            start=round(float(start), 3),
            end=round(float(max(start, end)), 3),
            text=text.strip(),
            avg_logprob=float(segment.avg_logprob),
            no_speech_prob=float(segment.no_speech_prob),
            voice=voice,
        )

    words = segment.words
    if not words:
        whole = [make(*piece) for piece in _split_text_by_chunks(segment, unit)]
        if voices is None:
            return whole
        return [replace(p, voice=voices.voice_at((p.start + p.end) / 2, max_distance_s=2.0)) for p in whole]
    chunks = [unit.chunk_index((word.start + word.end) / 2) for word in words]
    word_voices = _word_voices(words, chunks, unit, voices) if voices is not None else [None] * len(words)
    cuts = {0, len(words)}
    for i in range(1, len(words)):
        if chunks[i] != chunks[i - 1] or word_voices[i] != word_voices[i - 1]:
            cuts.add(_natural_cut(words, i))
        elif words[i].start - words[i - 1].end >= split_gap_s:
            cuts.add(i)
    pieces: list[TranscriptSegment] = []
    for lo, hi in itertools.pairwise(sorted(cuts)):
        group = words[lo:hi]
        if not group:
            continue
        # Time the whole piece in the chunk most of its words fall into; its voice, likewise.
        chunk = max(set(chunks[lo:hi]), key=chunks[lo:hi].count)
        voice = Counter(word_voices[lo:hi]).most_common(1)[0][0]
        start = unit.to_call_time(group[0].start, chunk)
        end = unit.to_call_time(group[-1].end, chunk)
        pieces.append(make(start, end, "".join(word.word for word in group), chunk, voice))
    return [piece for piece in pieces if piece.text]
