"""Post-filters against Whisper's silence hallucinations on Japanese audio.

Whisper trained on subtitled video fills silence or noise with outro lines ("ご視聴ありがとうございました",
"チャンネル登録お願いします", subtitle credits) and sometimes loops one phrase. The decoder-side guards
(VAD, language pinned to "ja", no conditioning on previous text, the no-speech / log-prob / compression
thresholds) are set in :mod:`voc.asr.transcribe`; here a known phrase is dropped only when the segment is
low-confidence, so a caller who really says "おやすみなさい" clearly keeps it, and runaway repetitions are cut
back to a few repeats.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace

from voc.asr.transcript import TranscriptSegment

__all__ = [
    "HALLUCINATION_PHRASES",
    "collapse_repeats",
    "filter_segments",
    "is_hallucination_phrase",
    "is_low_confidence",
]

# Matched on the NFKC form with whitespace and punctuation removed.
HALLUCINATION_PHRASES: tuple[str, ...] = (
    "ご視聴ありがとうございました",
    "ご視聴ありがとうございます",
    "視聴ありがとう",
    "ご清聴ありがとうございました",
    "チャンネル登録",
    "高評価",
    "グッドボタン",
    "次回もお楽しみに",
    "また次回",
    "最後までご覧いただき",
    "おやすみなさい",
    "字幕",
)

_MAX_REPEATS = 3
# A unit of 1–20 characters repeated more than _MAX_REPEATS times in a row.
_LOOP = re.compile(rf"(.{{1,20}}?)\1{{{_MAX_REPEATS},}}", re.DOTALL)


def _compact(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


_COMPACT_PHRASES = tuple(_compact(phrase) for phrase in HALLUCINATION_PHRASES)


def is_hallucination_phrase(text: str) -> bool:
    """True when the text is a known silence phrase plus at most a few other characters (at most 8, or the
    phrase's own length: "チャンネル登録お願いします" is one, a question about channel signup is not)."""
    compact = _compact(text)
    if not compact:
        return False
    for phrase in _COMPACT_PHRASES:
        if phrase and phrase in compact and len(compact) - len(phrase) <= max(8, len(phrase)):
            return True
    return False


def is_low_confidence(segment: TranscriptSegment, *, logprob_below: float, no_speech_above: float) -> bool:
    return segment.avg_logprob < logprob_below or segment.no_speech_prob > no_speech_above


def collapse_repeats(text: str, max_repeats: int = _MAX_REPEATS) -> str:
    """Cut any run of one phrase repeated more than ``max_repeats`` times down to ``max_repeats``."""
    if max_repeats != _MAX_REPEATS:
        pattern = re.compile(rf"(.{{1,20}}?)\1{{{max_repeats},}}", re.DOTALL)
    else:
        pattern = _LOOP
    return pattern.sub(lambda match: match.group(1) * max_repeats, text)


def filter_segments(
    segments: Iterable[TranscriptSegment], *, logprob_below: float, no_speech_above: float
) -> list[TranscriptSegment]:
    """Drop empty segments and low-confidence silence phrases; collapse repetition loops."""
    kept: list[TranscriptSegment] = []
    for segment in segments:
        text = collapse_repeats(segment.text.strip())
        if not _compact(text):
            continue
        if is_hallucination_phrase(text) and is_low_confidence(
            segment, logprob_below=logprob_below, no_speech_above=no_speech_above
        ):
            continue
        kept.append(segment if text == segment.text else replace(segment, text=text))
    return kept
