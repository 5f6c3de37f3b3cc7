"""`voc redaction rerun`: what an older redactor let through is removed from everything stored.

The "older redactor" is the pipeline run with birth dates and names switched off, so the transcript, its
tokens, the signal evidence and the pending webhook payload hold the birth date from issue 17 in clear
(「青年月日は、1985年、4月12日です。」) and the customer's name. The rerun must remove them from the
database and from search, keep the conversation and the figures, be audited, and change nothing when run
a second time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.pipeline.test_pii_never_stored import Scripted, Seg
from voc.audit.log import query
from voc.calls.ingest import register_call
from voc.db.calls import Call, CallCreate, Segment
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow
from voc.db.webhooks import WebhookDelivery
from voc.nlp.toolkit import TextToolkit
from voc.pipeline.process import CallPipeline
from voc.redaction import ALL_TYPES, PiiType, Redactor
from voc.redaction.rerun import ACTION, rerun_redaction
from voc.runtime import Runtime
from voc.search.kwic import kwic
from voc.signals.params import SignalParams
from voc.signals.stage import make_signals_stage
from voc.webhooks.events import enqueue_call_analyzed
from voc.webhooks.subscriptions import create_subscription

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "stereo_call.flac"
BIRTH = "青年月日は、1985年、4月12日です。"
LINES = [
    Seg("operator", 0.0, 2.0, "ご本人確認のため、お名前と生年月日をお願いします。"),
    Seg("customer", 2.5, 4.0, "ヤマダタロウです。"),
    Seg("customer", 4.5, 7.0, BIRTH),
    Seg("customer", 7.5, 9.0, "お電話番号は090-1234-5678です。"),
    Seg("customer", 9.5, 13.0, "山田ですけど、月額9800円は高すぎるので解約したいです。3回目の電話です。"),
]


@pytest.fixture
def stored_call(runtime: Runtime, toolkit: TextToolkit) -> int:
    """A call analysed by an older redactor (no birth dates, no names), with a pending webhook."""
    scripted = Scripted()
    scripted.lines = LINES
    signals = make_signals_stage(toolkit.tokenizer, SignalParams(), toolkit.terms)
    old = Redactor(enabled=True, types=ALL_TYPES - {PiiType.BIRTH_DATE, PiiType.NAME}, by_sound=False)
    pipeline = CallPipeline(
        engine=runtime.engine, store=runtime.store, transcriber=scripted, redactor=old, toolkit=toolkit,
        analysis_stages=[signals, enqueue_call_analyzed],
    )  # fmt: skip
    with Session(runtime.engine) as session:
        session.add(Customer(customer_id="C17", name="山田 太郎", attributes={"name_kana": "ヤマダ タロウ"}))
        create_subscription(session, "https://crm.example.com/hook", ["call.analyzed"])
        session.commit()
        call = register_call(session, runtime.store.put_file(FIXTURE), CallCreate(customer_id="C17")).call
        session.commit()
        assert call.id is not None
        call_id = call.id
    pipeline(call_id, lambda _s, _p: None)
    return call_id


def _stored(
    session: Session, call_id: int
) -> tuple[list[Segment], list[CallSignalRow], list[WebhookDelivery]]:
    segments = list(
        session.exec(select(Segment).where(Segment.call_id == call_id).order_by(col(Segment.idx)))
    )
    signals = list(session.exec(select(CallSignalRow).where(CallSignalRow.call_id == call_id)))
    deliveries = list(session.exec(select(WebhookDelivery).where(WebhookDelivery.call_id == call_id)))
    return segments, signals, deliveries


def _rerun(runtime: Runtime, toolkit: TextToolkit) -> dict[str, object]:
    stages = [make_signals_stage(toolkit.tokenizer, SignalParams(), toolkit.terms)]
    return rerun_redaction(runtime.engine, Redactor(enabled=True), toolkit.tokenizer, stages=stages).as_dict()


def test_the_misheard_birth_date_is_gone_from_the_db_and_search_after_a_rerun(
    stored_call: int, runtime: Runtime, toolkit: TextToolkit
) -> None:
    with Session(runtime.engine) as session:
        before, signals_before, deliveries = _stored(session, stored_call)
        assert BIRTH in [s.text for s in before], "the older redactor let the birth date through"
        assert kwic(session, "1985", toolkit.tokenizer), "and search finds it"
        assert any("山田" in s.text for s in signals_before) and deliveries

    report = _rerun(runtime, toolkit)
    assert report["calls_changed"] == 1
    assert report["by_type"] == {"birth_date": 1, "name": 2}

    with Session(runtime.engine) as session:
        segments, signals, deliveries = _stored(session, stored_call)
        texts = [s.text for s in segments]
        assert texts[2] == "青年月日は、［生年月日］です。"
        assert texts[1] == "［氏名］です。"
        assert texts[3] == "お電話番号は［電話番号］です。", "the old placeholder is kept as it was"
        assert "月額9800円" in texts[4] and "3回目" in texts[4], "figures survive"
        stored = " ".join(texts + [t for s in segments for t in s.tokens] + [s.text for s in signals])
        stored += " ".join(str(d.payload) for d in deliveries)
        for secret in ("1985", "4月12日", "山田", "ヤマダ", "タロウ", "090"):
            assert secret not in stored
        assert kwic(session, "1985", toolkit.tokenizer) == []
        assert kwic(session, "4月12日", toolkit.tokenizer) == []
        assert kwic(session, "解約", toolkit.tokenizer), "the conversation is still searchable"
        call = session.get(Call, stored_call)
        assert call is not None
        assert sorted(r["type"] for r in call.redactions) == ["birth_date", "name", "name", "phone"]
        for r in call.redactions:
            assert texts[r["segment"]][r["start"] : r["end"]].startswith("［")
        audit = query(session, action=ACTION)
        assert {e.resource_type for e in audit} == {"call", "redaction"}
        assert all("1985" not in str(e.detail) for e in audit)


def test_a_second_rerun_changes_nothing(stored_call: int, runtime: Runtime, toolkit: TextToolkit) -> None:
    _rerun(runtime, toolkit)
    with Session(runtime.engine) as session:
        first = [s.text for s in _stored(session, stored_call)[0]]
    report = _rerun(runtime, toolkit)
    assert report["calls_changed"] == 0 and report["redactions_added"] == 0
    with Session(runtime.engine) as session:
        assert [s.text for s in _stored(session, stored_call)[0]] == first
