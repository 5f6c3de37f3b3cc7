"""The signals API as a CRM integrator and an analyst use it: list, feedback, quality, at-risk."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.runtime import Runtime
from voc.security.keys import create_key
from voc.signals.analyze import analyze_call
from voc.signals.flags import recompute_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon

from .helpers import NOW, add_call, add_customer

ClientFor = Callable[[str], TestClient]


@pytest.fixture
def client_for(runtime: Runtime) -> Iterator[ClientFor]:
    app = create_app(runtime=runtime)
    opened: list[TestClient] = []

    def make(role: str) -> TestClient:
        with Session(runtime.engine) as session:
            _, secret = create_key(session, role, f"{role}-1")
            session.commit()
        client = TestClient(app, headers={"Authorization": f"Bearer {secret}"}).__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def loaded(runtime: Runtime, tok: JapaneseTokenizer, lexicon: SignalLexicon) -> dict[str, int]:
    """Two heavy users who complain about value (one also names a rival), 21 ordinary customers."""
    with Session(runtime.engine) as session:
        for i in range(21):
            add_customer(session, f"F{i:02d}", 0.1 + 0.02 * i)
        a = add_customer(session, "A", 0.95, fee=9800)
        b = add_customer(session, "B", 0.9, fee=4000)
        calls = {
            "call-a": add_call(
                session,
                "call-a",
                [
                    ("operator", "お電話ありがとうございます。"),
                    ("customer", "この料金だと割に合わないんですよ。"),
                ],
                customer_pk=a,
                started_at=NOW - timedelta(days=2),
            ),
            "call-b": add_call(
                session,
                "call-b",
                [("customer", "他社の方が安いので乗り換えを考えています。")],
                customer_pk=b,
                started_at=NOW - timedelta(days=1),
            ),
        }
        for call_id in calls.values():
            analyze_call(session, call_id, tok, lexicon=lexicon)
        for pk in (a, b):
            recompute_customer(session, pk, SignalParams())
        session.commit()
    return calls


def test_list_filters_and_pages(client_for: ClientFor, loaded: dict[str, int]) -> None:
    client = client_for("integration")
    everything = client.get("/api/v1/signals").json()
    assert {(s["call_id"], s["type"]) for s in everything["items"]} == {
        ("call-a", "value_complaint"),
        ("call-b", "value_complaint"),
        ("call-b", "competitor_mention"),
        ("call-b", "churn_intent"),
    }
    first = everything["items"][0]
    assert {"type", "score", "speaker", "start", "end", "text", "segment", "source"} <= set(first)
    assert first["speaker"] == "customer" and first["source"] == "baseline"

    assert [s["customer_id"] for s in client.get("/api/v1/signals?customer_id=A").json()["items"]] == ["A"]
    assert len(client.get("/api/v1/signals?call=call-b").json()["items"]) == 3
    assert len(client.get("/api/v1/signals?type=churn_intent").json()["items"]) == 1
    assert client.get("/api/v1/signals?source=model").json()["items"] == []
    since = quote((NOW - timedelta(days=1, hours=1)).isoformat())
    assert {s["call_id"] for s in client.get(f"/api/v1/signals?date_from={since}").json()["items"]} == {
        "call-b"
    }
    assert client.get("/api/v1/signals?date_from=2026-11-01T00:00:00").status_code == 422
    assert client.get("/api/v1/signals?customer_id=NOPE").status_code == 404
    assert client.get("/api/v1/signals?type=price").status_code == 422

    seen, cursor = [], None
    while True:
        page = client.get(
            "/api/v1/signals", params={"limit": 1, **({"cursor": cursor} if cursor else {})}
        ).json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [s["id"] for s in everything["items"]]
    assert client.get("/api/v1/signals?cursor=bad!").status_code == 422


def test_feedback_clears_a_flag_and_names_the_analyst(client_for: ClientFor, loaded: dict[str, int]) -> None:
    analyst = client_for("analyst")
    (signal,) = analyst.get("/api/v1/signals?call=call-a").json()["items"]
    response = analyst.post(
        f"/api/v1/signals/{signal['id']}/feedback", json={"label": "dismiss", "note": "冗談"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["label"], body["note"], body["user"]) == ("dismiss", "冗談", "analyst-1")
    assert body["flags_cleared"] == ["cost_performance_gap"]
    assert analyst.get("/api/v1/signals?call=call-a").json()["items"][0]["feedback"] == "dismiss"
    assert analyst.post("/api/v1/signals/999999/feedback", json={"label": "confirm"}).status_code == 404
    bad = analyst.post(f"/api/v1/signals/{signal['id']}/feedback", json={"label": "maybe"})
    assert bad.status_code == 422
    integration = client_for("integration")
    denied = integration.post(f"/api/v1/signals/{signal['id']}/feedback", json={"label": "confirm"})
    assert denied.status_code == 403


def test_quality_and_at_risk(client_for: ClientFor, loaded: dict[str, int]) -> None:
    client = client_for("analyst")
    quality = client.get("/api/v1/signals/quality").json()
    assert [q["type"] for q in quality] == [
        "dissatisfaction",
        "value_complaint",
        "churn_intent",
        "competitor_mention",
        "feature_struggle",
    ]
    assert all(q["model"] is None and q["labels"] == 0 for q in quality)

    ranked = client.get("/api/v1/at-risk?limit=10").json()
    # A pays about twice the median, B less than it: A's expected loss ranks first.
    assert [r["customer_id"] for r in ranked] == ["A", "B"]
    assert ranked[0]["risk_score"] > ranked[1]["risk_score"]
    assert ranked[1]["flags"] == ["cost_performance_gap", "churn_risk"]
    (evidence,) = ranked[0]["evidence"]
    assert {k: evidence[k] for k in ("type", "call_id", "start", "text")} == {
        "type": "value_complaint",
        "call_id": "call-a",
        "start": 4.0,
        "text": "この料金だと割に合わないんですよ。",
    }
    # what the UI needs to confirm the flag and open the call at the moment
    feedback = client.post(f"/api/v1/signals/{evidence['signal_id']}/feedback", json={"label": "confirm"})
    assert feedback.status_code < 300
    assert client.get(f"/api/v1/calls/{evidence['call']}").json()["external_id"] == "call-a"
    assert client.get("/api/v1/at-risk?limit=0").status_code == 422


def test_call_detail_shows_each_signals_latest_feedback(
    client_for: ClientFor, loaded: dict[str, int]
) -> None:
    analyst = client_for("analyst")
    (signal,) = analyst.get("/api/v1/signals?call=call-a").json()["items"]
    detail = analyst.get("/api/v1/calls/call-a").json()
    assert [s["feedback"] for s in detail["signals"]] == [None]
    for label in ("dismiss", "confirm"):  # the analyst changed their mind: the last word stands
        assert (
            analyst.post(f"/api/v1/signals/{signal['id']}/feedback", json={"label": label}).status_code == 201
        )
    for ref in (str(detail["id"]), "call-a"):  # by our id and by the external id
        detail = analyst.get(f"/api/v1/calls/{ref}").json()
        assert [(s["id"], s["feedback"]) for s in detail["signals"]] == [(signal["id"], "confirm")]
    assert analyst.get("/api/v1/signals?call=call-a").json()["items"][0]["feedback"] == "confirm"
