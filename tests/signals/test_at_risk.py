"""The at-risk list: ranked by value and recency, with the evidence customer success reads."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import analyze_call
from voc.signals.at_risk import at_risk, customer_scores
from voc.signals.flags import recompute_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.signals.scores import health_score

from .helpers import NOW, add_call, add_customer

CHURN = "他社の方が安いので解約したいです。"
PARAMS = SignalParams()


def test_ranking_respects_value_and_recency(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    cases = {
        # customer id: (monthly fee, LTV attribute, days since the call)
        "BIG_RECENT": (10000, None, 1),
        "SMALL_RECENT": (3000, None, 1),
        "BIG_OLD": (10000, None, 90),
        "LTV_RECENT": (3000, 2_000_000, 1),
    }
    with Session(engine) as session:
        for customer_id, (fee, ltv, days) in cases.items():
            pk = add_customer(session, customer_id, 0.5, fee=fee, ltv=ltv)
            call_id = add_call(
                session,
                f"call-{customer_id}",
                [("operator", "お電話ありがとうございます。"), ("customer", CHURN)],
                customer_pk=pk,
                started_at=NOW - timedelta(days=days),
            )
            analyze_call(session, call_id, tok, lexicon=lexicon)
            recompute_customer(session, pk, PARAMS, now=NOW)
        quiet_pk = add_customer(session, "QUIET", 0.5, fee=10000)
        session.commit()
        ranked = [r.as_dict() for r in at_risk(session, limit=10)]
        assert [r["customer_id"] for r in ranked] == ["LTV_RECENT", "BIG_RECENT", "SMALL_RECENT", "BIG_OLD"]
        assert [r.as_dict() for r in at_risk(session, limit=2)] == ranked[:2]
        top = ranked[1]
        binding = {"customer_id", "name", "risk_score", "health_score", "flags", "evidence"}
        assert binding <= set(top) and set(top) - binding == {"plan", "monthly_fee"}
        assert top["flags"] == ["churn_risk"]
        first = top["evidence"][0]
        assert {k: first[k] for k in ("type", "call_id", "start", "text")} == {
            "type": "churn_intent",
            "call_id": "call-BIG_RECENT",
            "start": 4.0,
            "text": CHURN,
        }
        assert isinstance(first["signal_id"], int) and isinstance(first["call"], int)
        assert {e["type"] for e in top["evidence"]} == {"churn_intent", "competitor_mention"}
        assert 0 <= top["health_score"] <= 100
        quiet = customer_scores(session, quiet_pk, PARAMS)
        assert quiet is not None and quiet.flags == [] and quiet.risk_score == 0
        assert quiet.health_score > top["health_score"]


def test_churned_customers_are_not_listed(
    engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon
) -> None:
    with Session(engine) as session:
        pk = add_customer(session, "GONE", 0.5, status="churned", churned_at=NOW)
        call_id = add_call(session, "call-gone", [("customer", CHURN)], customer_pk=pk)
        analyze_call(session, call_id, tok, lexicon=lexicon)
        recompute_customer(session, pk, PARAMS, now=NOW)
        assert at_risk(session, 10) == []


def test_health_combines_behaviour_and_what_was_said() -> None:
    assert health_score(1.0, 120, 0.0) == 100
    assert health_score(0.0, 0, 1.0) == 0
    assert health_score(None, None, 0.0) == 75
    assert health_score(0.9, 36, 0.8) < health_score(0.9, 36, 0.1)
