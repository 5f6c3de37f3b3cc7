"""Post-filters against Whisper's silence hallucinations on Japanese audio.

Whisper trained on subtitled video fills silence or noise with outro lines ("ご視聴ありがとうございました",
"チャンネル登録お願いします", subtitle credits) and sometimes loops one phrase. The decoder-side guards
(VAD, language pinned to "ja", no conditioning on previous text, the no-speech / log-prob / compression
thresholds) are set in :mod:`voc.asr.transcribe`. Here: a segment that is both likely silence and
uncertain is dropped; a known phrase, or a segment made only of the hotwords (which Whisper echoes from its
prompt over trailing silence), is dropped when it is low-confidence by either measure, so a caller who
really says "おやすみなさい" clearly keeps it; runaway repetitions are cut back to a few repeats.
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
    "is_hotword_echo",
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


_HOTWORD_SEPARATORS = re.compile(r"[\s、,，]+")


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


def is_hotword_echo(text: str, hotwords: str | None) -> bool:
    """True when the text is nothing but hotwords: Whisper repeats its prompt over trailing silence."""
    if not hotwords:
        return False
    rest = _compact(text)
    # The hotword string joins terms with 「、」 (voc.nlp.vocabulary.hotwords), a file's with spaces too.
    for term in sorted((_compact(t) for t in _HOTWORD_SEPARATORS.split(hotwords)), key=len, reverse=True):
        if term:
            rest = rest.replace(term, "")
    return bool(_compact(text)) and len(rest) <= 1


def filter_segments(
    segments: Iterable[TranscriptSegment],
    *,
    logprob_below: float,
    no_speech_above: float,
    hotwords: str | None = None,
) -> list[TranscriptSegment]:
    """Drop empty segments, silence (no-speech probability above ``no_speech_above`` *and* log-prob below
    ``logprob_below``), and known silence phrases or hotword echoes that are low-confidence by either
    measure; collapse repetition loops."""
    kept: list[TranscriptSegment] = []
    for segment in segments:
        text = collapse_repeats(segment.text.strip())
        if not _compact(text):
            continue
        if segment.no_speech_prob > no_speech_above and segment.avg_logprob < logprob_below:
            continue
        suspicious = is_hallucination_phrase(text) or is_hotword_echo(text, hotwords)
        if suspicious and is_low_confidence(
            segment, logprob_below=logprob_below, no_speech_above=no_speech_above
        ):
            continue
        kept.append(segment if text == segment.text else replace(segment, text=text))
    return kept
