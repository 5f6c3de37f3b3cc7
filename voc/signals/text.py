"""The ``signals`` and ``sentiment`` callables of ``voc analyze-text`` (``voc.nlp.analyze_text``).

With the shipped detector both come from it (the utterance read as a customer's); without one, the
signals come from the rules (``detect_text_signals``) and sentiment from the lexicon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from voc.nlp.tokens import Token
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES, detect_text_signals, make_text_detector

__all__ = ["DetectorText", "detect_text_signals", "make_text_detector"]


@dataclass(frozen=True, slots=True)
class DetectorText:
    detector: SignalDetector
    analyzer: UtteranceAnalyzer

    def signals(self, text: str, tokens: Sequence[Token]) -> list[str]:
        (row,) = self.detector.predict([self.analyzer.analyse(text, tokens).utterance])
        return [s for s, hit in zip(SIGNAL_TYPES, row, strict=True) if hit]

    def sentiment(self, text: str, tokens: Sequence[Token]) -> str:
        return self.detector.predict_sentiment([self.analyzer.analyse(text, tokens).utterance])[0]
