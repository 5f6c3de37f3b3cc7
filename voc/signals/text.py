"""The ``signals`` and ``sentiment`` callables of ``voc analyze-text`` (``voc.nlp.analyze_text``).

With the shipped detector both come from it (the utterance read as a customer's); without one, the
signals come from the rules (``detect_text_signals``) and sentiment from the lexicon.
"""

from __future__ import annotations

from collections.abc import Sequence

from voc.nlp.tokens import Token
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES, detect_text_signals, make_text_detector

__all__ = ["DetectorText", "detect_text_signals", "make_text_detector"]


class DetectorText:
    """Both callables read one line with one analysis and one feature matrix: ``analyze_text`` asks for
    the signals, then the sentiment, of the same line, so the last line's reading is kept."""

    def __init__(self, detector: SignalDetector, analyzer: UtteranceAnalyzer) -> None:
        self.detector = detector
        self.analyzer = analyzer
        self._last: tuple[str, list[str], str] | None = None

    def _read(self, text: str, tokens: Sequence[Token]) -> tuple[list[str], str]:
        if self._last is None or self._last[0] != text:
            labels, sentiments = self.detector.read([self.analyzer.analyse(text, tokens).utterance])
            found: list[str] = [s for s, hit in zip(SIGNAL_TYPES, labels[0], strict=True) if hit]
            self._last = (text, found, sentiments[0])
        return self._last[1], self._last[2]

    def signals(self, text: str, tokens: Sequence[Token]) -> list[str]:
        return self._read(text, tokens)[0]

    def sentiment(self, text: str, tokens: Sequence[Token]) -> str:
        return self._read(text, tokens)[1]
