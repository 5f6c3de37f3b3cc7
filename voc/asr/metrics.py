"""Talk metrics of a call, computed from its timed, role-labelled segments.

``talk_metrics`` returns a plain dict with these keys (times in seconds, rounded to milliseconds):

- ``talk_time_s``: {"operator", "customer", "unknown"} → time that party speaks (overlapping segments of
  one party counted once);
- ``talk_ratio``: operator share of operator + customer talk time, None when neither speaks;
- ``longest_silence_s``: the longest stretch of the call (start to end of file) in which no one speaks;
- ``silence_s``: total time in which no one speaks;
- ``overlap_s``: time in which the operator and the customer speak at once;
- ``speech_rate_cps``: {party → characters per second of that party's talk time}, characters counted
  after NFKC without spaces and punctuation (as for CER); None for a party that does not speak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from voc.asr.cer import normalize_for_cer
from voc.asr.transcript import SPEAKERS, Speaker, TranscriptSegment

__all__ = ["merge_intervals", "talk_metrics"]

Interval = tuple[float, float]


def merge_intervals(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of intervals as sorted, disjoint intervals."""
    merged: list[Interval] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _total(intervals: Sequence[Interval]) -> float:
    return sum(end - start for start, end in intervals)


def _intersection(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if end > start:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def talk_metrics(segments: Sequence[TranscriptSegment], duration_s: float) -> dict[str, Any]:
    """Talk time, talk ratio, silences, overlap and speech rate (see the module docstring for the keys)."""
    by_role = {
        role: merge_intervals((s.start, s.end) for s in segments if s.speaker == role) for role in SPEAKERS
    }
    talk = {role: _total(intervals) for role, intervals in by_role.items()}
    anyone = merge_intervals((s.start, s.end) for s in segments)
    gaps: list[float] = []
    cursor = 0.0
    for start, end in anyone:
        gaps.append(max(0.0, start - cursor))
        cursor = max(cursor, end)
    gaps.append(max(0.0, duration_s - cursor))
    characters = {
        role: sum(len(normalize_for_cer(s.text)) for s in segments if s.speaker == role) for role in SPEAKERS
    }
    parties = talk[Speaker.OPERATOR] + talk[Speaker.CUSTOMER]
    return {
        "talk_time_s": {role.value: round(seconds, 3) for role, seconds in talk.items()},
        "talk_ratio": round(talk[Speaker.OPERATOR] / parties, 3) if parties > 0 else None,
        "longest_silence_s": round(max(gaps), 3),
        "silence_s": round(sum(gaps), 3),
        "overlap_s": round(_total(_intersection(by_role[Speaker.OPERATOR], by_role[Speaker.CUSTOMER])), 3),
        "speech_rate_cps": {
            role.value: round(characters[role] / talk[role], 2) if talk[role] > 0 else None
            for role in SPEAKERS
        },
    }
