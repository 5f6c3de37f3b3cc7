"""Redact PII from a text or from a conversation's segments before anything stores them.

Spans in :class:`~voc.redaction.pii.Redaction` index the ORIGINAL text (``start``/``end``) and the
redacted text (``out_start``/``out_end``, where the placeholder is).

Segments are redacted with cross-segment context, in two passes whose findings are united:

* the conversation in time order, segments of one speaker that follow each other joined so a
  number can continue into the next segment, a change of speaker ending any number; context words
  reach back across speakers (the operator's question, the customer's answer);
* each speaker's own segments in order, so a number read out in two chunks is caught even when
  the other side's 「はい」 falls between them.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from voc.redaction.context import DEFAULT_CHARS_BEFORE, DEFAULT_SEGMENTS_BEFORE, ContextWindow
from voc.redaction.detectors import CUE_READINGS, DETECTORS
from voc.redaction.names import PersonName, detect_names
from voc.redaction.numerals import scan_digit_runs
from voc.redaction.pii import ALL_TYPES, PLACEHOLDERS, PRIORITY, Detection, PiiType, Redacted, Redaction
from voc.redaction.reading import Reader

logger = logging.getLogger(__name__)

# Joiners between segments in a detection text. "\n" is a number separator (a number may continue
# into the next segment); U+2029 is not, so a number never continues across a change of speaker.
_SAME_SPEAKER = "\n"
_OTHER_SPEAKER = "\u2029"


@dataclass(frozen=True, slots=True)
class _Piece:
    segment: int
    start: int
    end: int


class _Document:
    """Several segments joined into one detection text, mapping spans back to segments."""

    def __init__(self, parts: Iterable[tuple[int, str, str]]) -> None:
        chunks: list[str] = []
        self.pieces: list[_Piece] = []
        pos = 0
        for segment, joiner, text in parts:
            if self.pieces:
                chunks.append(joiner)
                pos += len(joiner)
            chunks.append(text)
            self.pieces.append(_Piece(segment, pos, pos + len(text)))
            pos += len(text)
        self.text = "".join(chunks)

    def split(self, detection: Detection) -> Iterator[tuple[int, Detection]]:
        for piece in self.pieces:
            start, end = max(detection.start, piece.start), min(detection.end, piece.end)
            if start < end:
                yield piece.segment, Detection(detection.type, start - piece.start, end - piece.start)


# A detection and its length before it was cut at segment boundaries: the type of overlapping
# detections is decided on what each detector saw, not on the part left in one segment.
_Found = tuple[Detection, int]


def _merge(found: Iterable[_Found]) -> list[Detection]:
    """Overlapping detections become one span typed by the longest (ties: :data:`PRIORITY`)."""
    rank = {t: i for i, t in enumerate(PRIORITY)}
    merged: list[Detection] = []
    cluster: list[_Found] = []
    cluster_end = -1

    def close() -> None:
        best, _ = max(cluster, key=lambda f: (f[1], -rank[f[0].type]))
        merged.append(Detection(best.type, cluster[0][0].start, cluster_end))

    for det, length in sorted(found, key=lambda f: (f[0].start, -f[0].end)):
        if cluster and det.start >= cluster_end:
            close()
            cluster = []
        cluster.append((det, length))
        cluster_end = max(cluster_end, det.end) if len(cluster) > 1 else det.end
    if cluster:
        close()
    return merged


def _apply(text: str, detections: Iterable[_Found]) -> Redacted:
    out: list[str] = []
    redactions: list[Redaction] = []
    pos = 0
    out_len = 0
    for det in _merge(detections):
        out.append(text[pos : det.start])
        out_len += det.start - pos
        placeholder = PLACEHOLDERS[det.type]
        out.append(placeholder)
        redactions.append(Redaction(det.type, det.start, det.end, out_len, out_len + len(placeholder)))
        out_len += len(placeholder)
        pos = det.end
    out.append(text[pos:])
    return Redacted("".join(out), tuple(redactions))


class Redactor:
    """PII redaction settings and the two entry points (:meth:`redact`, :meth:`redact_segments`).

    ``enabled`` has no default: switching redaction off must be a visible decision in the caller.
    ``context_chars``/``context_segments`` bound how far back a cue word (カード番号,
    セキュリティコード, 生年月日…) is looked for. ``by_sound`` also matches cues by their reading
    (Whisper's homophones: 青年月日) and finds names; it reads texts with the NLP tagger (fugashi).
    ``names`` passed to :meth:`redact` / :meth:`redact_segments` are the linked customer's, from the CRM.
    """

    def __init__(
        self,
        *,
        enabled: bool,
        types: Collection[PiiType] = ALL_TYPES,
        context_chars: int = DEFAULT_CHARS_BEFORE,
        context_segments: int = DEFAULT_SEGMENTS_BEFORE,
        by_sound: bool = True,
    ) -> None:
        self.enabled = enabled
        self.types = frozenset(types)
        self.context_chars = context_chars
        self.context_segments = context_segments
        self.by_sound = by_sound
        self.reader = Reader() if by_sound else None
        if not enabled:
            logger.warning("PII redaction is DISABLED: transcripts will be stored unredacted")

    def _detect(
        self, doc: _Document, names: Sequence[PersonName] = (), *, with_names: bool = True
    ) -> list[Detection]:
        ctx = ContextWindow(
            doc.text,
            tuple(p.start for p in doc.pieces) or (0,),
            max_chars_before=self.context_chars,
            max_segments_before=self.context_segments,
            reader=self.reader,
            readings=CUE_READINGS,
        )
        runs = scan_digit_runs(doc.text)
        found: list[Detection] = []
        for pii_type in PRIORITY:
            if pii_type in self.types and pii_type in DETECTORS:
                found.extend(DETECTORS[pii_type](doc.text, runs, ctx))
        if with_names and PiiType.NAME in self.types and self.reader is not None:
            found.extend(detect_names(doc.text, names, self.reader))
        return found

    def redact(self, text: str, *, names: Sequence[PersonName] = ()) -> Redacted:
        """``text`` with every PII span replaced by its placeholder."""
        if not self.enabled:
            return Redacted(text)
        dets = self._detect(_Document([(0, "", text)]), names)
        return _apply(text, ((d, d.end - d.start) for d in dets))

    def redact_segments(
        self, segments: Sequence[tuple[str, str]], *, names: Sequence[PersonName] = ()
    ) -> list[Redacted]:
        """Redact ``(speaker, text)`` segments given in time order; one result per segment.

        ``names``: the linked customer's name(s) from the CRM, redacted wherever they are said.
        """
        texts = [text for _, text in segments]
        if not self.enabled:
            return [Redacted(text) for text in texts]
        found: list[list[_Found]] = [[] for _ in segments]
        docs = [
            _Document(
                (i, _SAME_SPEAKER if i and segments[i - 1][0] == speaker else _OTHER_SPEAKER, text)
                for i, (speaker, text) in enumerate(segments)
            )
        ]
        speakers = list(dict.fromkeys(speaker for speaker, _ in segments))
        if len(speakers) > 1:
            docs += [
                _Document((i, _SAME_SPEAKER, text) for i, (s, text) in enumerate(segments) if s == speaker)
                for speaker in speakers
            ]
        for n, doc in enumerate(docs):
            # Names need no cross-segment context: find them once, in the conversation document.
            for det in self._detect(doc, names, with_names=n == 0):
                for segment, part in doc.split(det):
                    found[segment].append((part, det.end - det.start))
        return [_apply(text, dets) for text, dets in zip(texts, found, strict=True)]


_DEFAULT = Redactor(enabled=True)


def redact(text: str, *, enabled_types: Collection[PiiType] = ALL_TYPES) -> Redacted:
    """Redact one text with the default settings (always on)."""
    redactor = (
        _DEFAULT if frozenset(enabled_types) == ALL_TYPES else Redactor(enabled=True, types=enabled_types)
    )
    return redactor.redact(text)


def redact_segments(
    segments: Sequence[tuple[str, str]], *, enabled_types: Collection[PiiType] = ALL_TYPES
) -> list[Redacted]:
    """Redact ``(speaker, text)`` segments in time order with cross-segment context (always on)."""
    redactor = (
        _DEFAULT if frozenset(enabled_types) == ALL_TYPES else Redactor(enabled=True, types=enabled_types)
    )
    return redactor.redact_segments(segments)
