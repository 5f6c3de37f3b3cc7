"""Backtest on a tiny hand-computed example: only signals from before churned_at count."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.nlp.tokenizer import JapaneseTokenizer
from voc.signals.analyze import analyze_call
from voc.signals.backtest import backtest
from voc.signals.rules import SignalLexicon

from .helpers import NOW, add_call, add_customer

CHURN = "解約したいです。"
UNHAPPY = "サービスに満足していないです。"


def test_backtest_numbers(engine: Engine, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> None:
    churned_at = NOW - timedelta(days=10)
    with Session(engine) as session:
        k1 = add_customer(session, "K1", None, status="churned", churned_at=churned_at)
        k2 = add_customer(session, "K2", None, status="churned", churned_at=churned_at)
        k3 = add_customer(session, "K3", None)
        add_customer(session, "K4", None)
        k5 = add_customer(session, "K5", None, status="churned")  # no date: outcome unknown, skipped
        calls = [
            ("k1", CHURN, k1, churned_at - timedelta(days=5)),  # seen before churn
            ("k2-before", UNHAPPY, k2, churned_at - timedelta(days=20)),
            ("k2-after", CHURN, k2, churned_at + timedelta(days=1)),  # after the fact: ignored
            ("k3", CHURN, k3, NOW),  # said so, did not leave
            ("k5", CHURN, k5, NOW),
        ]
        for ref, text, pk, at in calls:
            analyze_call(
                session,
                add_call(session, ref, [("customer", text)], customer_pk=pk, started_at=at),
                tok,
                lexicon=lexicon,
            )
        session.commit()
        rows = {r["name"]: r for r in backtest(session)}
    # 4 customers with a known outcome (K5 skipped), 2 churned: base rate 0.5.
    assert rows["churn_intent"] == {
        "name": "churn_intent",
        "kind": "signal",
        "customers": 4,
        "churned": 2,
        "base_rate": 0.5,
        "flagged": 2,  # K1, K3 (K2's churn call came after churned_at)
        "flagged_churned": 1,
        "precision": 0.5,
        "recall": 0.5,
        "lift": 1.0,
    }
    assert (rows["dissatisfaction"]["flagged"], rows["dissatisfaction"]["precision"]) == (1, 1.0)
    assert (rows["dissatisfaction"]["recall"], rows["dissatisfaction"]["lift"]) == (0.5, 2.0)
    assert rows["churn_risk"]["kind"] == "flag" and rows["churn_risk"]["lift"] == 1.0
    assert rows["dissatisfied"]["lift"] == 2.0
    assert rows["value_complaint"]["flagged"] == 0
    assert rows["value_complaint"]["precision"] is None and rows["value_complaint"]["lift"] is None
    assert rows["value_complaint"]["recall"] == 0.0


def test_backtest_without_customers(engine: Engine) -> None:
    with Session(engine) as session:
        rows = backtest(session)
    assert rows and all(r["customers"] == 0 and r["base_rate"] is None for r in rows)
