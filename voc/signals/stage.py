"""The signals stage as the pipeline runs it: ``stage(session, call_id)`` after the transcript is stored.

Analyses the call (replacing its signals: feedback classifiers that beat the detector, else the shipped
detector, rules as explanations) and, if the call is linked to a customer, recomputes that customer's
flags; the flag transitions land in ``customer_flag_events`` for the webhooks
(``voc.signals.flags.flag_events``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlmodel import Session

from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.vocabulary import Term
from voc.signals.analyze import analyze_call
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.flags import on_call_linked
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.signals.training import load_models


def make_signals_stage(
    tokenizer: JapaneseTokenizer,
    params: SignalParams,
    terms: Iterable[Term] = (),
    detector: SignalDetector | None = None,
) -> Callable[[Session, int], None]:
    """``terms``: the domain vocabulary (its competitor names), e.g. ``TextToolkit.terms``;
    ``detector``: loaded once per worker (``voc.signals.artefact.load_detector``)."""
    found = list(terms)
    lexicon = SignalLexicon.from_terms(found) if found else SignalLexicon.default()
    analyzer = UtteranceAnalyzer(tokenizer, lexicon)

    def signals_stage(session: Session, call_id: int) -> None:
        analyze_call(
            session,
            call_id,
            tokenizer,
            load_models(session),
            lexicon=lexicon,
            detector=detector,
            analyzer=analyzer,
        )
        on_call_linked(session, call_id, params)

    return signals_stage
