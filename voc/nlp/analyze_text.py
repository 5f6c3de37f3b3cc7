"""One utterance → ``{"text", "tokens", "sentiment", "signals"}``, the record ``voc analyze-text`` prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from voc.nlp.sentiment import Lexicon, score_sentiment
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.tokens import Token

# Given the original text and its rich tokens, returns the names of the signals found.
SignalDetector = Callable[[str, Sequence[Token]], list[str]]
# Given the original text and its rich tokens, returns negative | neutral | positive.
SentimentModel = Callable[[str, Sequence[Token]], str]


def analyze_text(
    text: str,
    tokenizer: JapaneseTokenizer,
    lexicon: Lexicon,
    signals: SignalDetector | None = None,
    sentiment: SentimentModel | None = None,
) -> dict[str, Any]:
    """Analyse one utterance.

    ``tokens`` are the token strings (naming in ``voc.nlp.tokens``); ``sentiment`` comes from the given
    model, else from the lexicon; ``signals`` is ``[]`` unless a detector is given. JSON-serialisable
    (print with ensure_ascii=False).
    """
    rich = tokenizer.analyze(text)
    strings = [t.text for t in rich]
    return {
        "text": text,
        "tokens": strings,
        "sentiment": sentiment(text, rich) if sentiment is not None else score_sentiment(rich, lexicon).label,
        "signals": list(signals(text, rich)) if signals is not None else [],
    }
