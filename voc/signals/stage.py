"""The signals stage as the pipeline runs it: ``stage(session, call_id)`` after the transcript is stored.

Analyses the call (replacing its signals, using the classifiers that beat the rules) and, if the call
is linked to a customer, recomputes that customer's flags; the flag transitions land in
``customer_flag_events`` for the webhooks (``voc.signals.flags.flag_events``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from sqlmodel import Session

from voc.signals.analyze import analyze_call
from voc.signals.flags import on_call_linked
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.signals.training import load_models

if TYPE_CHECKING:
    from voc.nlp.tokenizer import JapaneseTokenizer
    from voc.nlp.vocabulary import Term


def make_signals_stage(
    tokenizer: JapaneseTokenizer, params: SignalParams, terms: Iterable[Term] = ()
) -> Callable[[Session, int], None]:
    """``terms``: the domain vocabulary (its competitor names), e.g. ``TextToolkit.terms``."""
    found = list(terms)
    lexicon = SignalLexicon.from_terms(found) if found else SignalLexicon.default()

    def signals_stage(session: Session, call_id: int) -> None:
        analyze_call(session, call_id, tokenizer, load_models(session), lexicon=lexicon)
        on_call_linked(session, call_id, params)

    return signals_stage
