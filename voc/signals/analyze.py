"""The signals stage: a call's customer segments → ``call_signals`` (replacing earlier results).

Only what the customer says counts: operator segments are skipped (an operator's 申し訳ございません
or 「料金が高い」 read out of a plan sheet is not the customer's complaint), and a segment whose speaker
could not be told (``unknown``, mono recordings) counts with ``UNKNOWN_SPEAKER_WEIGHT``.

Who decides, per signal:
1. an active classifier trained on the analysts' feedback (``voc.signals.training.load_models``), if any;
2. else the shipped detector (``voc.signals.detector``): its calibrated probability is the confidence;
3. else (no detector built) the rules alone (``voc.signals.rules``).
The rule that matched, if any, is always kept as the explanation (``rule``, ``matched``); where no rule
matched, ``matched`` holds the words that weighed most in the detector's decision. A turn of several
sentences is read whole and sentence by sentence (``voc.signals.clauses``): those words come from the
sentence that raised the signal most.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sqlmodel import Session, col, delete

from voc.calls.queries import segments_of
from voc.db.calls import Segment
from voc.db.signals import CallSignalRow, SignalSource, SignalType
from voc.db.types import utcnow
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.classifier import SignalClassifier
from voc.signals.detector import SignalDetector
from voc.signals.features import AnalysedUtterance, UtteranceAnalyzer
from voc.signals.rules import SIGNAL_TYPES, RuleHit, SignalLexicon, signal_scores

log = logging.getLogger(__name__)

SPEAKER_WEIGHTS: dict[str, float] = {"customer": 1.0, "unknown": 0.6}
UNKNOWN_SPEAKER_WEIGHT = SPEAKER_WEIGHTS["unknown"]
MODEL_THRESHOLD = 0.5

SignalModels = Mapping[str, SignalClassifier]


def _decisions(
    analysed: Sequence[AnalysedUtterance],
    detector: SignalDetector | None,
    models: SignalModels,
) -> list[dict[str, tuple[float, SignalSource]]]:
    """Per utterance: the signals raised, with their score and who decided."""
    proba, raised = (None, None) if detector is None else detector.signals([a.utterance for a in analysed])
    out: list[dict[str, tuple[float, SignalSource]]] = []
    for i, a in enumerate(analysed):
        rules = signal_scores(a.hits)
        found: dict[str, tuple[float, SignalSource]] = {}
        for j, signal in enumerate(SIGNAL_TYPES):
            model = models.get(signal)
            if model is not None:
                p = model.positive_probability(list(a.utterance.tokens))
                if p >= MODEL_THRESHOLD:
                    found[signal] = (p, SignalSource.MODEL)
            elif proba is not None and raised is not None:
                if raised[i, j]:
                    found[signal] = (float(proba[i, j]), SignalSource.DETECTOR)
            elif signal in rules:
                found[signal] = (rules[signal][0], SignalSource.BASELINE)
        out.append(found)
    return out


def _top_hit(hits: Sequence[RuleHit], signal: str) -> RuleHit | None:
    mine = [h for h in hits if h.signal == signal]
    return max(mine, key=lambda h: h.weight) if mine else None


def analyze_call(
    session: Session,
    call_id: int,
    tokenizer: JapaneseTokenizer,
    models: SignalModels | None = None,
    *,
    lexicon: SignalLexicon | None = None,
    detector: SignalDetector | None = None,
    analyzer: UtteranceAnalyzer | None = None,
) -> list[CallSignalRow]:
    """Detect the call's signals and store them in place of earlier ones; returns the new rows.

    Fills each analysed segment's ``tokens`` column when it is still empty. Flushes, never commits.
    """
    reader = analyzer or UtteranceAnalyzer(tokenizer, lexicon or SignalLexicon.default())
    session.exec(delete(CallSignalRow).where(col(CallSignalRow.call_id) == call_id))
    segments: list[Segment] = [s for s in segments_of(session, call_id) if s.speaker in SPEAKER_WEIGHTS]
    analysed: list[AnalysedUtterance] = []
    for seg in segments:
        a = reader.analyse(seg.text, tokenizer.analyze(seg.text))
        analysed.append(a)
        if not seg.tokens:
            seg.tokens = list(a.utterance.tokens)
            session.add(seg)
    rows: list[CallSignalRow] = []
    now = utcnow()
    for seg, a, found in zip(segments, analysed, _decisions(analysed, detector, models or {}), strict=True):
        weight = SPEAKER_WEIGHTS[seg.speaker]
        for signal, (score, source) in found.items():
            top = _top_hit(a.hits, signal)
            matched = top.matched if top else None
            if matched is None and source is SignalSource.DETECTOR and detector is not None:
                matched = "・".join(detector.explain(a.utterance, signal)) or None
            rows.append(
                CallSignalRow(
                    call_id=call_id,
                    segment_id=seg.id,
                    segment_idx=seg.idx,
                    type=SignalType(signal),
                    score=round(score * weight, 4),
                    speaker=seg.speaker,
                    start=seg.start,
                    end=seg.end,
                    text=seg.text,
                    source=source.value,
                    rule=top.rule if top else None,
                    matched=matched[:256] if matched else None,
                    model_score=round(score, 4) if source is not SignalSource.BASELINE else None,
                    created_at=now,
                )
            )
    session.add_all(rows)
    session.flush()
    log.info("call %s: %d signals", call_id, len(rows))
    return rows
