"""Where a detector may look for context words ("カード番号", "セキュリティコード", "生年月日").

A conversation is detected as one text made of segments; context before a number may come from
the same segment or from up to ``max_segments_before`` earlier segments (the operator's question
before the customer's answer), but never from further back than ``max_chars_before`` characters,
so one mention of セキュリティコード does not make every later 3-digit number a code. Context after
a number ("…生まれです") is looked for only inside the number's own segment.

A cue is found by its spelling (the detector's pattern) or, where the detector lists readings for it and
a :class:`~voc.redaction.reading.Reader` is given, by its sound: Whisper writes 生年月日 as 青年月日.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from voc.redaction.reading import Reader, sounds_like

DEFAULT_CHARS_BEFORE = 80
DEFAULT_SEGMENTS_BEFORE = 3
DEFAULT_CHARS_AFTER = 15


@dataclass(frozen=True, slots=True)
class ContextWindow:
    text: str
    segment_starts: tuple[int, ...] = (0,)
    max_chars_before: int = DEFAULT_CHARS_BEFORE
    max_segments_before: int = DEFAULT_SEGMENTS_BEFORE
    max_chars_after: int = DEFAULT_CHARS_AFTER
    reader: Reader | None = None
    #: Per cue pattern, the readings it is also matched by (in katakana or hiragana).
    readings: Mapping[re.Pattern[str], tuple[str, ...]] = field(default_factory=dict)
    # Where each pattern's cues sound in the whole text: read once per text, not once per window.
    _sounds: dict[re.Pattern[str], list[tuple[int, int]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _segment(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.segment_starts, pos) - 1)

    def window_start(self, pos: int) -> int:
        """Where the context before ``pos`` begins."""
        first = self.segment_starts[max(0, self._segment(pos) - self.max_segments_before)]
        return max(first, pos - self.max_chars_before)

    def before(self, pos: int) -> str:
        return self.text[self.window_start(pos) : pos]

    def after_end(self, pos: int) -> int:
        """Where the context after ``pos`` ends (within its segment)."""
        k = self._segment(max(0, pos - 1))
        limit = self.segment_starts[k + 1] if k + 1 < len(self.segment_starts) else len(self.text)
        return min(limit, pos + self.max_chars_after)

    def after(self, pos: int) -> str:
        return self.text[pos : self.after_end(pos)]

    def near(self, pattern: re.Pattern[str], start: int, end: int) -> bool:
        """Whether ``pattern`` occurs in the context before ``start`` or after ``end``."""
        before, after = self.before(start), self.after(end)
        if pattern.search(before) is not None or pattern.search(after) is not None:
            return True
        lo, hi = self.window_start(start), self.after_end(end)
        return any((lo <= s and e <= start) or (end <= s and e <= hi) for s, e in self.sound_spans(pattern))

    def sound_spans(self, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        """Spans of the text that sound like one of ``pattern``'s cue readings."""
        spans = self._sounds.get(pattern)
        if spans is None:
            cues = self.readings.get(pattern)
            spans = sounds_like(self.reader, self.text, cues) if cues and self.reader else []
            self._sounds[pattern] = spans
        return spans

    def anywhere(self, pattern: re.Pattern[str]) -> bool:
        """Whether the cue occurs anywhere in the text, spelled or sounding alike."""
        return pattern.search(self.text) is not None or bool(self.sound_spans(pattern))
