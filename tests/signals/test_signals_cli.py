"""The signals commands as customer success runs them: analyse, at-risk list, feedback, reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlmodel import Session
from typer.testing import CliRunner

from voc.cli import report, signals
from voc.db.engine import make_engine
from voc.db.migrate import upgrade

from .helpers import add_call, add_customer


def make_app() -> typer.Typer:
    app = typer.Typer()
    customers = typer.Typer()
    customers.command("at-risk")(signals.at_risk_cmd)
    app.add_typer(signals.app, name="signals")
    app.add_typer(report.app, name="report")
    app.add_typer(customers, name="customers")
    return app


@pytest.fixture
def env(tmp_path: Path, user_dic: Path) -> dict[str, str]:
    data = tmp_path / "var"
    engine = make_engine(f"sqlite:///{data / 'voc.db'}")
    upgrade(engine)
    with Session(engine) as session:
        for i in range(12):
            add_customer(session, f"F{i:02d}", 0.1 + 0.03 * i)
        pk = add_customer(session, "C001", 0.95, fee=9800)
        add_call(
            session,
            "call-001",
            [("operator", "お電話ありがとうございます。"), ("customer", "正直、コスパが悪いと思います。")],
            customer_pk=pk,
        )
        session.commit()
    engine.dispose()
    return {"VOC_DATA_DIR": str(data), "VOC_NLP__USER_DICTIONARY": str(user_dic)}


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(make_app(), list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_analyse_then_call_back_list(env: dict[str, str]) -> None:
    analysed = json.loads(run(env, "signals", "analyze", "call-001", "--json"))
    # A resented price is voiced unhappiness too (the broad definition in models/signals/README.md).
    assert sorted(s["type"] for s in analysed["signals"]) == ["dissatisfaction", "value_complaint"]
    assert sorted(analysed["raised"]) == ["cost_performance_gap", "dissatisfied"]

    ranked = json.loads(run(env, "customers", "at-risk", "--json"))
    assert [r["customer_id"] for r in ranked] == ["C001"]
    assert ranked[0]["evidence"][0]["call_id"] == "call-001"
    text = run(env, "customers", "at-risk")
    assert "C001" in text and "cost_performance_gap" in text and "コスパが悪い" in text

    listed = json.loads(run(env, "signals", "list", "--json", "--customer", "C001"))
    by_type = {s["type"]: s["id"] for s in listed}
    out = run(env, "signals", "feedback", str(by_type["value_complaint"]), "dismiss", "--user", "analyst1")
    assert "flag cleared: cost_performance_gap" in out
    assert "cost_performance_gap" not in run(env, "customers", "at-risk")
    out = run(env, "signals", "feedback", str(by_type["dissatisfaction"]), "dismiss", "--user", "analyst1")
    assert "flag cleared: dissatisfied" in out
    assert "no customer at risk" in run(env, "customers", "at-risk")
    assert "value_complaint" in run(env, "signals", "quality")
    assert "not trained" in run(env, "signals", "train")
    assert "0 customers changed" in run(env, "signals", "recompute")


def test_backtest_report(env: dict[str, str]) -> None:
    rows = json.loads(run(env, "report", "backtest", "--json"))
    assert {r["name"] for r in rows} >= {"churn_intent", "cost_performance_gap"}
    assert "13 customers, 0 churned" in run(env, "report", "backtest")


def test_mistakes_get_a_clear_error(env: dict[str, str]) -> None:
    result = CliRunner().invoke(make_app(), ["signals", "feedback", "999", "confirm"], env=env)
    assert result.exit_code != 0
    result = CliRunner().invoke(make_app(), ["signals", "list", "--since", "2026-11-01"], env=env)
    assert result.exit_code != 0
