"""Re-apply the redactor to what is already stored, after it has improved (``voc redaction rerun``).

Transcripts are stored redacted, so the stored text is the redactor's input here: the placeholders
already in it are masked (they must neither be redacted again nor act as cue words), the current
redactor runs over each call's segments with the linked customer's name, and every new span becomes
a placeholder. For each call that changed, in one transaction: the segment texts and their tokens (the
search index and the topics' input), the call's redaction list, the signals' evidence (the signals
stage runs again), the snapshots in analysts' feedback and the payloads of webhook deliveries not yet
sent; then the call is assigned to topics again and an audit entry records what changed (types and
counts, never the text). A second run finds nothing new and changes nothing: it is idempotent.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.audit.log import record
from voc.db.calls import Call, Segment
from voc.db.signals import SignalFeedback
from voc.db.webhooks import DeliveryStatus, WebhookDelivery
from voc.redaction.crm import linked_names
from voc.redaction.pii import PLACEHOLDERS, PiiType
from voc.redaction.redactor import Redactor

log = logging.getLogger(__name__)

ACTION = "redaction.rerun"
_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_TYPE_OF = {p: t for t, p in PLACEHOLDERS.items()}
_MASK = "■"  # a symbol: no digit, no cue, breaks a number; same length keeps the offsets
_PAYLOAD_SKIP = re.compile(r"(?:^|_)(?:id|at|type|event|status|source|speaker)$")

#: A stage run again for a call whose text changed (signals, topic assignment).
Stage = Callable[[Session, int], object]


@dataclass
class RerunReport:
    calls_scanned: int = 0
    calls_changed: int = 0
    segments_changed: int = 0
    added: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls_scanned": self.calls_scanned,
            "calls_changed": self.calls_changed,
            "segments_changed": self.segments_changed,
            "redactions_added": sum(self.added.values()),
            "by_type": dict(sorted(self.added.items())),
        }


def mask_placeholders(text: str) -> tuple[str, list[tuple[int, int]]]:
    spans = [(m.start(), m.end()) for m in _PLACEHOLDER_RE.finditer(text)]
    masked = _PLACEHOLDER_RE.sub(lambda m: _MASK * len(m.group()), text)
    return masked, spans


def reapply(text: str, spans: Iterable[tuple[PiiType, int, int]]) -> tuple[str, int]:
    """``text`` (already redacted) with new ``spans`` replaced; a span touching a placeholder takes it in."""
    kept = [(m.start(), m.end()) for m in _PLACEHOLDER_RE.finditer(text)]
    merged: list[list[Any]] = []
    for pii_type, start, end in sorted(spans, key=lambda s: s[1]):
        for ks, ke in kept:
            if ks < end and start < ke:
                start, end = min(start, ks), max(end, ke)
        if merged and start < merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([pii_type, start, end])
    out: list[str] = []
    pos = 0
    for pii_type, start, end in merged:
        out.append(text[pos:start])
        out.append(PLACEHOLDERS[pii_type])
        pos = end
    out.append(text[pos:])
    return "".join(out), len(merged)


def redaction_list(segments: Sequence[Segment]) -> list[dict[str, Any]]:
    """The call's redaction records, read from the placeholders in its segments."""
    return [
        {
            "segment": s.idx,
            "type": str(_TYPE_OF[m.group()]),
            "start": m.start(),
            "end": m.end(),
            "time": round(s.start, 2),
        }
        for s in segments
        for m in _PLACEHOLDER_RE.finditer(s.text)
    ]


def redact_value(value: Any, redactor: Redactor, key: str = "") -> Any:
    """A JSON payload with its free-text strings redacted (ids, times and enum fields left alone)."""
    if isinstance(value, dict):
        return {k: redact_value(v, redactor, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, redactor, key) for v in value]
    if isinstance(value, str) and not _PAYLOAD_SKIP.search(key):
        masked, _ = mask_placeholders(value)
        red = redactor.redact(masked)
        if red.redactions:
            return reapply(value, [(r.type, r.start, r.end) for r in red.redactions])[0]
    return value


def rerun_call(
    session: Session, call_id: int, redactor: Redactor, tokenize: Callable[[str], list[str]]
) -> tuple[int, Counter[str]]:
    """Re-redact one call's stored text in ``session`` (not committed); (segments changed, added by type)."""
    session.exec(select(Call.id).where(Call.id == call_id).with_for_update())
    call = session.get(Call, call_id)
    segments = list(
        session.exec(select(Segment).where(Segment.call_id == call_id).order_by(col(Segment.idx)))
    )
    if call is None or not segments:
        return 0, Counter()
    names = linked_names(session, call)
    masked = [mask_placeholders(s.text)[0] for s in segments]
    results = redactor.redact_segments(
        [(s.speaker, m) for s, m in zip(segments, masked, strict=True)], names=names
    )
    changed = 0
    added: Counter[str] = Counter()
    for segment, result in zip(segments, results, strict=True):
        if not result.redactions:
            continue
        text, _ = reapply(segment.text, [(r.type, r.start, r.end) for r in result.redactions])
        if text == segment.text:
            continue
        segment.text = text
        segment.tokens = tokenize(text)
        session.add(segment)
        changed += 1
        added.update(str(r.type) for r in result.redactions)
    if not changed:
        return 0, added
    call.redactions = redaction_list(segments)
    session.add(call)
    for fb in session.exec(select(SignalFeedback).where(SignalFeedback.call_id == call_id)):
        fb.text = redact_value(fb.text, redactor, "text")
        session.add(fb)
    return changed, added


def _refresh_pending_webhooks(session: Session, call_id: int, redactor: Redactor) -> int:
    pending = session.exec(
        select(WebhookDelivery).where(
            WebhookDelivery.call_id == call_id, WebhookDelivery.status != DeliveryStatus.DELIVERED
        )
    ).all()
    for delivery in pending:
        delivery.payload = redact_value(delivery.payload, redactor)
        session.add(delivery)
    return len(pending)


def rerun_redaction(
    engine: Engine,
    redactor: Redactor,
    tokenize: Callable[[str], list[str]],
    *,
    stages: Sequence[Stage] = (),
    call_ids: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RerunReport:
    """Re-redact every stored call (or ``call_ids``); one transaction per call, audited."""
    if not redactor.enabled:
        raise ValueError("redaction is disabled (VOC_REDACTION__ENABLED=false): nothing to re-apply")
    with Session(engine) as session:
        stmt = select(Call.id).order_by(col(Call.id))
        if call_ids is not None:
            stmt = stmt.where(col(Call.id).in_(list(call_ids)))
        ids = [i for i in session.exec(stmt) if i is not None]
    report = RerunReport()
    for n, call_id in enumerate(ids, start=1):
        with Session(engine) as session:
            changed, added = rerun_call(session, call_id, redactor, tokenize)
            if changed:
                for stage in stages:  # the signals' evidence and topic input are derived from the text
                    stage(session, call_id)
                _refresh_pending_webhooks(session, call_id, redactor)
                record(session, ACTION, "call", call_id, detail={"segments": changed, "added": dict(added)})
            session.commit()
        report.calls_scanned += 1
        if changed:
            report.calls_changed += 1
            report.segments_changed += changed
            report.added.update(added)
            log.info("call %s: %d segments re-redacted (%s)", call_id, changed, dict(added))
        if progress is not None:
            progress(n, len(ids))
    with Session(engine) as session:
        record(session, ACTION, "redaction", None, detail=report.as_dict())
        session.commit()
    return report
