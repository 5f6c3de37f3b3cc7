"""The signals stage: a call's customer segments → ``call_signals`` (replacing earlier results).

Only what the customer says counts: operator segments are skipped (an operator's 申し訳ございません
or 「料金が高い」 read out of a plan sheet is not the customer's complaint), and a segment whose speaker
could not be told (``unknown``, mono recordings) counts with ``UNKNOWN_SPEAKER_WEIGHT``.

For each signal the baseline rules (``voc.signals.rules``) decide, unless ``models`` holds an active
classifier for it (``voc.signals.training.load_models``): then the classifier decides
(probability ≥ ``MODEL_THRESHOLD``), and the rule that matched, if any, is still shown as evidence.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlmodel import Session, col, delete

from voc.calls.queries import segments_of
from voc.db.signals import CallSignalRow
from voc.db.types import utcnow
from voc.signals.classifier import SignalClassifier
from voc.signals.rules import SIGNAL_TYPES, SignalLexicon, detect, signal_scores

if TYPE_CHECKING:
    from voc.nlp.tokenizer import JapaneseTokenizer

log = logging.getLogger(__name__)

SPEAKER_WEIGHTS: dict[str, float] = {"customer": 1.0, "unknown": 0.6}
UNKNOWN_SPEAKER_WEIGHT = SPEAKER_WEIGHTS["unknown"]
MODEL_THRESHOLD = 0.5

SignalModels = Mapping[str, SignalClassifier]


def analyze_call(
    session: Session,
    call_id: int,
    tokenizer: JapaneseTokenizer,
    models: SignalModels | None = None,
    *,
    lexicon: SignalLexicon | None = None,
) -> list[CallSignalRow]:
    """Detect the call's signals and store them in place of earlier ones; returns the new rows.

    Fills each analysed segment's ``tokens`` column when it is still empty. Flushes, never commits.
    """
    lex = lexicon or SignalLexicon.default()
    session.exec(delete(CallSignalRow).where(col(CallSignalRow.call_id) == call_id))
    rows: list[CallSignalRow] = []
    now = utcnow()
    for seg in segments_of(session, call_id):
        weight = SPEAKER_WEIGHTS.get(seg.speaker)
        if weight is None:
            continue
        rich = tokenizer.analyze(seg.text)
        strings = [t.text for t in rich]
        if not seg.tokens:
            seg.tokens = strings
            session.add(seg)
        found = signal_scores(detect(seg.text, rich, lex))
        for signal in SIGNAL_TYPES:
            base = found.get(signal)
            model = (models or {}).get(signal)
            model_score: float | None = None
            if model is not None:
                model_score = model.positive_probability(strings)
                if model_score < MODEL_THRESHOLD:
                    continue
                score, source = model_score, "model"
            elif base is not None:
                score, source = base[0], "baseline"
            else:
                continue
            top = base[1][0] if base is not None else None
            rows.append(
                CallSignalRow(
                    call_id=call_id,
                    segment_id=seg.id,
                    segment_idx=seg.idx,
                    type=signal,
                    score=round(score * weight, 4),
                    speaker=seg.speaker,
                    start=seg.start,
                    end=seg.end,
                    text=seg.text,
                    source=source,
                    rule=top.rule if top else None,
                    matched=top.matched[:256] if top else None,
                    model_score=round(model_score, 4) if model_score is not None else None,
                    created_at=now,
                )
            )
    session.add_all(rows)
    session.flush()
    log.info("call %s: %d signals", call_id, len(rows))
    return rows
