"""Customer flags end to end on the database: calls analysed, flags raised and cleared with history."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.audio_store import LocalAudioStore
from voc.calls.deletion import delete_call
from voc.db.calls import Call, Segment
from voc.db.customers import Customer
from voc.db.risk import CustomerRisk
from voc.db.signals import CallSignalRow, CustomerFlag, CustomerFlagEvent
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import analyze_call
from voc.signals.at_risk import at_risk
from voc.signals.feedback import record_feedback
from voc.signals.flags import (
    FlagChanges,
    HeavyUsageRule,
    compute_usage_stats,
    flag_events,
    on_call_linked,
    recompute_all,
    recompute_customer,
    usage_stats,
)
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.signals.store import signals_for_call

from .helpers import NOW, Turn, add_call, add_customer

GREETING: Turn = ("operator", "お電話ありがとうございます、サポートセンターの田中でございます。")
SCENARIO: dict[str, tuple[float, list[Turn]]] = {
    "GAP1": (
        0.95,
        [
            GREETING,
            ("customer", "毎日使っているけど、この料金だと割に合わないんですよ。"),
            ("operator", "ご不便をおかけして申し訳ございません。"),
        ],
    ),
    "GAP2": (
        0.9,
        [
            GREETING,
            ("customer", "ありがとうございます。でも正直、コスパが悪いと思います。"),
            ("operator", "料金が高いと感じられる方もいらっしゃいます。申し訳ございません。"),
        ],
    ),
    "LOWPRICE": (0.1, [GREETING, ("customer", "あまり使っていないのに、料金が高すぎます。")]),
    "STRUGGLE": (
        0.05,
        [
            GREETING,
            ("customer", "スマホを買ったんですが、設定のやり方がわからなくて、ほとんど使えていません。"),
        ],
    ),
    "NETWORK": (
        0.92,
        [
            GREETING,
            ("customer", "料金は高くはないんですが、夜になるとつながらないのが不満です。"),
            ("operator", "ご迷惑をおかけして申し訳ございません。"),
        ],
    ),
    "PRAISE": (0.93, [GREETING, ("customer", "いつも便利に使っています、料金にも満足しています。")]),
    "MOVING": (
        0.91,
        [GREETING, ("customer", "来月、海外に引っ越すので解約したいです。サービスには満足していました。")],
    ),
    "OPERATOR": (
        0.97,
        [
            GREETING,
            ("operator", "申し訳ございません、そちらのプランは料金が高すぎるかもしれません。"),
            ("customer", "はい、お願いします。"),
        ],
    ),
}
EXPECTED = {
    "GAP1": {"cost_performance_gap"},
    "GAP2": {"cost_performance_gap"},
    "LOWPRICE": set(),
    "STRUGGLE": {"underuse"},
    "NETWORK": {"dissatisfied"},
    "PRAISE": set(),
    "MOVING": {"churn_risk"},
    "OPERATOR": set(),
}
PARAMS = SignalParams()


def build(session: Session, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> dict[str, int]:
    """The scenario plus 16 customers with ordinary usage (so 0.9 is in the top quarter) and no calls."""
    pks: dict[str, int] = {}
    for i in range(16):
        add_customer(session, f"F{i:02d}", 0.2 + 0.025 * i)
    for customer_id, (usage, turns) in SCENARIO.items():
        pks[customer_id] = add_customer(session, customer_id, usage)
        call_id = add_call(session, f"call-{customer_id}", turns, customer_pk=pks[customer_id])
        analyze_call(session, call_id, tok, lexicon=lexicon)
    for pk in pks.values():
        recompute_customer(session, pk, PARAMS, now=NOW)
    session.commit()
    return pks


def active(session: Session) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for flag, customer in session.exec(
        select(CustomerFlag, Customer).join(Customer).where(CustomerFlag.active == True)  # noqa: E712
    ).all():
        out.setdefault(customer.customer_id, set()).add(flag.flag)
    return out


def test_flags_hit_exactly_the_intended_customers(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        build(session, tok, lexicon)
        flags = active(session)
    assert {c: flags.get(c, set()) for c in SCENARIO} == EXPECTED
    assert {c for c, f in flags.items() if "cost_performance_gap" in f} == {"GAP1", "GAP2"}


def test_absolute_usage_threshold(engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    params = SignalParams(high_usage_absolute=0.05)
    with Session(engine) as session:
        pks = build(session, tok, lexicon)
        changes = recompute_customer(session, pks["LOWPRICE"], params, now=NOW)
        assert changes == FlagChanges(raised=["cost_performance_gap"], cleared=[])
        assert recompute_customer(session, pks["GAP1"], params, now=NOW) == FlagChanges()


def test_only_customer_speech_counts(engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    with Session(engine) as session:
        build(session, tok, lexicon)
        signals = session.exec(select(CallSignalRow)).all()
        assert signals and {s.speaker for s in signals} == {"customer"}
        operator_call = session.exec(select(Call).where(Call.external_id == "call-OPERATOR")).one()
        assert signals_for_call(session, operator_call) == []


def test_unknown_speaker_counts_with_a_lower_weight(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    text = "料金が高すぎます。"
    with Session(engine) as session:
        known = add_call(session, "known", [("customer", text)])
        mono = add_call(session, "mono", [("unknown", text)])
        (a,) = analyze_call(session, known, tok, lexicon=lexicon)
        (b,) = analyze_call(session, mono, tok, lexicon=lexicon)
    assert a.type == b.type == "value_complaint"
    assert b.score == pytest.approx(a.score * 0.6, abs=1e-3)


def test_signals_for_call_shape_and_evidence(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        build(session, tok, lexicon)
        call = session.exec(select(Call).where(Call.external_id == "call-GAP1")).one()
        (signal,) = signals_for_call(session, call)
    assert signal["type"] == "value_complaint"
    assert {"type", "score", "speaker", "start", "end", "text", "segment", "source"} <= set(signal)
    assert (signal["speaker"], signal["segment"], signal["start"], signal["end"]) == ("customer", 1, 4.0, 7.0)
    assert signal["source"] == "baseline" and signal["rule"] == "value.not_worth"
    assert "割に合わない" in signal["text"] and 0 < signal["score"] <= 1


def test_analysis_is_idempotent(engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    with Session(engine) as session:
        pks = build(session, tok, lexicon)
        call = session.exec(select(Call).where(Call.external_id == "call-GAP1")).one()
        assert call.id is not None
        first = [(s.type, s.segment_idx) for s in session.exec(select(CallSignalRow)).all()]
        analyze_call(session, call.id, tok, lexicon=lexicon)
        again = [(s.type, s.segment_idx) for s in session.exec(select(CallSignalRow)).all()]
        assert sorted(first) == sorted(again)
        assert recompute_customer(session, pks["GAP1"], PARAMS, now=NOW) == FlagChanges()
        assert len(session.exec(select(CustomerFlagEvent)).all()) == 5  # one raise per flagged customer
        segment = session.exec(select(Segment).where(Segment.call_id == call.id, Segment.idx == 1)).one()
        assert segment.tokens == ["毎日", "使う", "料金", "割", "合う_NEG"]


def test_record_changes_and_dismissals_clear_flags_with_history(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    later = NOW + timedelta(hours=1)
    with Session(engine) as session:
        pks = build(session, tok, lexicon)
        gap2 = session.get(Customer, pks["GAP2"])
        assert gap2 is not None
        gap2.usage_rate = 0.2
        session.add(gap2)
        assert recompute_customer(session, pks["GAP2"], PARAMS, now=later) == FlagChanges(
            [], ["cost_performance_gap"]
        )

        call = session.exec(select(Call).where(Call.external_id == "call-GAP1")).one()
        (signal,) = session.exec(select(CallSignalRow).where(CallSignalRow.call_id == call.id)).all()
        assert signal.id is not None
        record_feedback(session, signal.id, "dismiss", note="冗談でした", user="analyst1")
        assert on_call_linked(session, signal.call_id, PARAMS, now=later).cleared == ["cost_performance_gap"]
        # Re-analysing the call brings the signal back, but the dismissal still holds.
        assert call.id is not None
        analyze_call(session, call.id, tok, lexicon=lexicon)
        assert recompute_customer(session, pks["GAP1"], PARAMS, now=later) == FlagChanges()
        session.commit()

        events = flag_events(session)
        cleared = [(e["customer_id"], e["flag"]) for e in events if e["event"] == "customer.flag_cleared"]
        assert cleared == [("GAP2", "cost_performance_gap"), ("GAP1", "cost_performance_gap")]
        raised = [e for e in events if e["event"] == "customer.flagged" and e["customer_id"] == "GAP1"]
        assert raised[0]["evidence"][0]["call_id"] == "call-GAP1"
        assert flag_events(session, after_id=events[-1]["id"]) == []


def test_linking_a_call_later_raises_the_flag(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        pks = build(session, tok, lexicon)
        call_id = add_call(session, "unlinked", [("customer", "他社に乗り換えたいと思っています。")])
        analyze_call(session, call_id, tok, lexicon=lexicon)
        assert on_call_linked(session, call_id, PARAMS, now=NOW) == FlagChanges()  # nobody to flag yet
        call = session.get(Call, call_id)
        assert call is not None
        call.customer_pk = pks["PRAISE"]
        session.add(call)
        assert on_call_linked(session, call_id, PARAMS, now=NOW) == FlagChanges(["churn_risk"], [])
        assert recompute_all(session, PARAMS, now=NOW) == {}


def test_deleting_a_call_deletes_its_signals(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon, tmp_path: Path
) -> None:
    with Session(engine) as session:
        pks = build(session, tok, lexicon)
        call = session.exec(select(Call).where(Call.external_id == "call-MOVING")).one()
        signal = session.exec(select(CallSignalRow).where(CallSignalRow.call_id == call.id)).first()
        assert signal is not None and signal.id is not None
        record_feedback(session, signal.id, "confirm", user="analyst1")
        assert "MOVING" in [a.customer_id for a in at_risk(session)]
        changes = delete_call(session, LocalAudioStore(tmp_path), call, params=PARAMS)
        assert session.exec(select(CallSignalRow).where(CallSignalRow.call_id == signal.call_id)).all() == []
        # The call was MOVING's only evidence: the flag is cleared at once, and the risk row follows.
        assert changes == FlagChanges([], ["churn_risk"])
        session.commit()
        assert "MOVING" not in [a.customer_id for a in at_risk(session)]
        row = session.get(CustomerRisk, pks["MOVING"])
        assert row is not None and (row.flags, row.evidence, row.listed) == ([], [], False)
        assert recompute_customer(session, pks["MOVING"], PARAMS) == FlagChanges()
        assert [e["event"] for e in flag_events(session) if e["customer_id"] == "MOVING"] == [
            "customer.flagged",
            "customer.flag_cleared",
        ]


def test_the_pipeline_stage_analyses_and_flags(engine: Engine, tok: JapaneseTokenizer) -> None:
    from voc.nlp.assets import DOMAIN_TERMS_PATH
    from voc.nlp.vocabulary import load_terms
    from voc.signals.stage import make_signals_stage

    stage = make_signals_stage(tok, PARAMS, load_terms(DOMAIN_TERMS_PATH))
    with Session(engine) as session:
        pk = add_customer(session, "S1", 0.5)
        call_id = add_call(
            session, "stage-1", [("customer", "ハヤブサモバイルに乗り換えたいです。")], customer_pk=pk
        )
        stage(session, call_id)
        stage(session, call_id)  # idempotent
        session.commit()
        types = sorted(s.type for s in session.exec(select(CallSignalRow)).all())
        assert types == ["churn_intent", "competitor_mention"]
        assert [e["flag"] for e in flag_events(session)] == ["churn_risk"]


def _base(session: Session, usages: list[float]) -> None:
    for i, usage in enumerate(usages):
        add_customer(session, f"BASE{i:02d}", usage)


def _complains(
    session: Session, tok: JapaneseTokenizer, lexicon: SignalLexicon, customer_id: str, usage: float
) -> int:
    pk = add_customer(session, customer_id, usage)
    turns: list[Turn] = [
        GREETING,
        ("customer", "請求書を見たんですが、この料金は高すぎます。"),
        ("operator", "ご確認ありがとうございます。"),
        ("customer", "毎日使ってますけど、正直割に合わないんですよ。"),
    ]
    call_id = add_call(session, f"call-{customer_id}", turns, customer_pk=pk)
    analyze_call(session, call_id, tok, lexicon=lexicon)
    return pk


def _flags(session: Session, pk: int) -> set[str]:
    rows = session.exec(select(CustomerFlag).where(CustomerFlag.customer_pk == pk)).all()
    return {r.flag for r in rows if r.active}


def test_heavy_users_of_a_b2b_base_where_most_use_it_daily(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    # Two thirds of the base use the service almost daily (0.8–0.95): the top quartile starts near 0.9,
    # so a customer at 0.8 is heavy only by the absolute share.
    daily = [0.8 + 0.01 * i for i in range(16)]
    light = [0.1 + 0.04 * i for i in range(7)]
    with Session(engine) as session:
        _base(session, daily + light)
        heavy = _complains(session, tok, lexicon, "B2B-HEAVY", 0.8)
        occasional = _complains(session, tok, lexicon, "B2B-LIGHT", 0.3)
        stats = usage_stats(session, PARAMS)
        assert stats.high_rule is HeavyUsageRule.ABSOLUTE and stats.high == 0.7
        assert stats.heavy_count == 17  # the 16 daily users and B2B-HEAVY
        assert recompute_customer(session, heavy, PARAMS, now=NOW).raised == ["cost_performance_gap"]
        recompute_customer(session, occasional, PARAMS, now=NOW)
        assert "cost_performance_gap" not in _flags(session, occasional)
        # The percentile alone would miss the heavy user's complaint.
        percentile_only = SignalParams(high_usage_absolute=None)
        assert not usage_stats(session, percentile_only).is_high(0.8)
        assert recompute_customer(session, heavy, percentile_only, now=NOW).cleared == [
            "cost_performance_gap"
        ]


def test_a_light_base_still_uses_the_top_quartile(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    # A consumer base where nobody reaches 0.7: the top quartile are the heavy users.
    with Session(engine) as session:
        _base(session, [0.05 + 0.02 * i for i in range(22)])  # 0.05–0.47
        top = _complains(session, tok, lexicon, "TOP", 0.5)
        middle = _complains(session, tok, lexicon, "MIDDLE", 0.2)
        stats = usage_stats(session, PARAMS)
        assert stats.high_rule is HeavyUsageRule.PERCENTILE and stats.high is not None and stats.high < 0.7
        assert recompute_customer(session, top, PARAMS, now=NOW).raised == ["cost_performance_gap"]
        assert "cost_performance_gap" not in recompute_customer(session, middle, PARAMS, now=NOW).raised


def test_heavy_is_whichever_rule_includes_more_customers() -> None:
    b2b = compute_usage_stats([0.85] * 8 + [0.9] * 4 + [0.2] * 4, PARAMS)
    assert b2b.high_rule is HeavyUsageRule.ABSOLUTE and b2b.heavy_count == 12
    consumer = compute_usage_stats([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.65, 0.8], PARAMS)
    assert consumer.high_rule is HeavyUsageRule.PERCENTILE and consumer.heavy_count == 2
    assert consumer.is_high(0.65) and consumer.is_high(0.8) and not consumer.is_high(0.6)
    # Usage as a metric (hours a month) is not a share: 0.7 would make everyone heavy.
    hours = compute_usage_stats([5, 10, 20, 40, 80, 120, 160, 200], PARAMS)
    assert hours.high_rule is HeavyUsageRule.PERCENTILE and hours.heavy_count == 2
    # An absolute threshold on the metric's own scale is honoured.
    assert (
        compute_usage_stats(
            [5, 10, 20, 40, 80, 120, 160, 200], SignalParams(high_usage_absolute=30)
        ).heavy_count
        == 5
    )


def test_the_flag_keeps_every_value_complaint_with_call_segment_second_and_words(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        _base(session, [0.1 + 0.03 * i for i in range(12)])
        pk = _complains(session, tok, lexicon, "EVIDENCE", 0.9)
        second = add_call(
            session,
            "call-EVIDENCE-2",
            [GREETING, ("customer", "やっぱりコストパフォーマンスが悪いと思います。")],
            customer_pk=pk,
            started_at=NOW - timedelta(hours=2),
        )
        analyze_call(session, second, tok, lexicon=lexicon)
        recompute_customer(session, pk, PARAMS, now=NOW)
        session.commit()
        flag = session.exec(
            select(CustomerFlag).where(
                CustomerFlag.customer_pk == pk, CustomerFlag.flag == "cost_performance_gap"
            )
        ).one()
        evidence = flag.evidence
        value = [e for e in evidence if e["type"] == "value_complaint"]
        places = {(e["call_id"], e["segment"], e["start"], e["end"]) for e in value}
        assert places == {
            ("call-EVIDENCE-2", 1, 4.0, 7.0),
            ("call-EVIDENCE", 1, 4.0, 7.0),
            ("call-EVIDENCE", 3, 12.0, 15.0),
        }
        assert value[0]["call_id"] == "call-EVIDENCE-2"  # newest first
        # The words that raised it (when the rules pointed at some) lie inside the utterance.
        assert any(e["matched"] for e in value)
        assert all(e["matched"] in e["text"] for e in value if e["matched"])
        ranked = [r.as_dict() for r in at_risk(session)]
        (item,) = [r for r in ranked if r["customer_id"] == "EVIDENCE"]
        assert "cost_performance_gap" in item["flags"]
        first = item["evidence"][0]
        assert {"call_id", "segment", "start", "end", "text", "matched"} <= set(first)
