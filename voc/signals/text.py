"""The ``signals`` callable of ``voc analyze-text`` (``voc.nlp.analyze_text.SignalDetector``)."""

from __future__ import annotations

from voc.signals.rules import detect_text_signals, make_text_detector

__all__ = ["detect_text_signals", "make_text_detector"]
