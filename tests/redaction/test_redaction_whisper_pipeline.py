"""End to end on the Whisper-rendered PII corpus: what Whisper wrote goes through the real pipeline (decode
of a real file, redaction with the linked customer's CRM name, tokens, storage, signals, webhooks), and no
exposed secret is found in the stored text, the tokens, search, the logs, the export or the webhook
payloads, while every figure Whisper wrote is still in the stored text.

The corpus is packed into calls as a contact center would see them: each call is linked to one CRM
customer whose name is said in it, and carries a dozen other exchanges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.api.test_calls_api import wav_bytes
from tests.pipeline.test_pii_never_stored import Scripted, Seg
from tests.redaction.whisper_corpus import corpus
from voc.bench.redaction import CorpusRecord, carries, has_figure
from voc.calls.ingest import register_call
from voc.db.calls import CallCreate, Segment
from voc.db.customers import Customer
from voc.db.webhooks import WebhookDelivery
from voc.exports import calls_csv, export_calls
from voc.nlp.toolkit import TextToolkit
from voc.pipeline.process import CallPipeline
from voc.redaction import Redactor
from voc.redaction.reading import Reader
from voc.runtime import Runtime
from voc.search.kwic import kwic
from voc.signals.params import SignalParams
from voc.signals.stage import make_signals_stage
from voc.webhooks.events import enqueue_call_analyzed
from voc.webhooks.subscriptions import create_subscription

READER = Reader()


def calls() -> list[list[CorpusRecord]]:
    """One call per record with a CRM name (that customer's call), the other records dealt round."""
    records = corpus()
    named = [r for r in records if r.customer is not None]
    others = [r for r in records if r.customer is None]
    packed = [[r] for r in named]
    for i, record in enumerate(others):
        packed[i % len(packed)].append(record)
    return packed


def _segments(records: list[CorpusRecord]) -> Iterator[Seg]:
    t = 0.0
    for record in records:
        for speaker, _, whisper in record.lines:
            yield Seg(speaker, t, t + 2.0, whisper)
            t += 2.5


def _search_terms(record: CorpusRecord) -> Iterator[str]:
    for secret in record.secrets:
        digits = str(secret.get("digits", ""))
        yield from (digits[i : i + 4] for i in range(max(0, len(digits) - 3)))
        yield from (str(f) for f in secret.get("forms", ()))


def _carries_any(texts: list[str], secret: dict[str, object]) -> bool:
    return any(carries(t, secret, READER) for t in texts)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_exposed_secret_reaches_storage_search_logs_exports_or_webhooks(
    runtime: Runtime, toolkit: TextToolkit, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    from voc.runtime import configure_logging

    configure_logging("INFO")
    scripted = Scripted()
    signals = make_signals_stage(toolkit.tokenizer, SignalParams(), toolkit.terms)
    pipeline = CallPipeline(
        engine=runtime.engine, store=runtime.store, transcriber=scripted, redactor=Redactor(enabled=True),
        toolkit=toolkit, analysis_stages=[signals, enqueue_call_analyzed],
    )  # fmt: skip
    with Session(runtime.engine) as session:
        create_subscription(session, "https://crm.example.com/hook", ["call.analyzed"])
        session.commit()
    checked = 0
    for n, records in enumerate(calls()):
        crm = records[0].customer
        assert crm is not None
        with Session(runtime.engine) as session:
            name = f"{crm.family} {crm.given or ''}".strip()
            kana = f"{crm.family_kana or ''} {crm.given_kana or ''}".strip()
            session.add(Customer(customer_id=f"C{n}", name=name, attributes={"name_kana": kana}))
            session.commit()
            path = tmp_path / f"call{n}.wav"
            path.write_bytes(wav_bytes(seed=n + 1))  # one distinct recording per call
            call = register_call(session, runtime.store.put_file(path), CallCreate(customer_id=f"C{n}")).call
            session.commit()
            assert call.id is not None
            call_id = call.id
        scripted.lines = list(_segments(records))
        caplog.clear()
        pipeline(call_id, lambda _s, _p: None)
        logs = "\n".join(h.format(r) for r in caplog.records for h in logging.getLogger().handlers[:1])

        with Session(runtime.engine) as session:
            segments = session.exec(select(Segment).where(Segment.call_id == call_id)).all()
            text = "\n".join(s.text for s in segments)
            tokens = " ".join(t for s in segments for t in s.tokens)
            exported = [d for d in export_calls(session, with_transcript=True) if d["call_id"] == call_id]
            export = calls_csv(exported) + str(exported)
            deliveries = session.exec(select(WebhookDelivery).where(WebhookDelivery.call_id == call_id))
            hooks = " ".join(str(d.payload) for d in deliveries)
            for record in records:
                own = ["\n".join(w for _, _, w in record.lines)]
                others = [w for r in records if r is not record for _, _, w in r.lines]
                for secret in record.secrets:
                    # Only what Whisper wrote can leak; a secret that another exchange of the call also
                    # happens to contain (a price with the same four digits) cannot be told apart.
                    if not _carries_any(own, secret) or _carries_any(others, secret):
                        continue
                    checked += 1
                    for where, stored_text in (("text", text), ("tokens", tokens), ("logs", logs),
                                               ("export", export), ("webhooks", hooks)):  # fmt: skip
                        assert not carries(stored_text, secret, READER), (record.id, where, secret)
                for term in _search_terms(record):
                    if term in own[0] and not any(term in o for o in others):
                        assert kwic(session, term, toolkit.tokenizer, call_ids=[call_id]) == [], (
                            record.id,
                            term,
                        )
                for figure in record.keep:
                    if has_figure(own[0], figure):
                        assert has_figure(text, figure), (record.id, figure)
    assert checked > 100
