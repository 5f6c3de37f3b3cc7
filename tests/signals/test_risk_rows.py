"""The stored risk rows (``customer_risk``) stay what a from-scratch computation gives, through analyses,
feedback and CRM changes; the at-risk list and the customer list read them in the same order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.audio_store import LocalAudioStore
from voc.customers.followup import set_follow_up
from voc.customers.listing import CustomerQuery, CustomerSort, FollowUpFilter, list_customers
from voc.customers.page import customer_page
from voc.customers.records import import_csv, upsert_customer
from voc.customers.refresh import refresh_after_records_changed
from voc.db.calls import Call
from voc.db.customers import Customer, CustomerCreate, CustomerStatus, FollowUpState
from voc.db.risk import CustomerRisk
from voc.db.signals import CallSignalRow, SignalType
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.privacy.erasure import erase_customer
from voc.signals.analyze import analyze_call
from voc.signals.at_risk import assess_customers, assess_from_scratch, at_risk, backfill, rescore_stale
from voc.signals.feedback import record_feedback
from voc.signals.flags import (
    customer_inputs,
    facts_by_customer,
    flags_due,
    on_call_linked,
    population,
    population_of,
    recompute_customer,
)
from voc.signals.params import SignalParams
from voc.signals.risk import RiskAssessment

from .helpers import NOW, Turn, add_call, add_customer, add_signal_call

PARAMS = SignalParams()
GREETING: Turn = ("operator", "お電話ありがとうございます、サポートセンターの田中でございます。")
CHURN = "他社の方が安いので解約したいです。"
VALUE = "毎日使っているけど、この料金だと割に合わないんですよ。"
STRUGGLE = "設定のやり方がわからなくて、ほとんど使えていません。"
UNHAPPY = "夜になるとつながらないのが不満です。"


def _stored_matches_scratch(session: Session) -> list[RiskAssessment]:
    """Every customer has a row, and each row is the from-scratch computation as of its time."""
    rows = session.exec(select(CustomerRisk)).all()
    customers = [pk for pk in session.exec(select(Customer.id)).all() if pk is not None]
    assert sorted(r.customer_pk for r in rows) == sorted(customers)
    by_time: dict[datetime, list[int]] = defaultdict(list)
    for row in rows:
        by_time[row.computed_at].append(row.customer_pk)
    out: list[RiskAssessment] = []
    for at, pks in by_time.items():
        expected = assess_from_scratch(session, PARAMS, pks, now=at)
        stored = assess_customers(session, pks, PARAMS)
        assert stored == expected
        out.extend(expected.values())
    return out


def _ranked(expected: list[RiskAssessment]) -> list[str]:
    listed = [a for a in expected if a.listed]
    return [a.customer_id for a in sorted(listed, key=lambda a: (-a.risk_score, a.customer_id))]


def _analyse(
    session: Session, tok: JapaneseTokenizer, pk: int, ref: str, text: str, at: datetime, now: datetime
) -> int:
    call_id = add_call(session, ref, [GREETING, ("customer", text)], customer_pk=pk, started_at=at)
    analyze_call(session, call_id, tok)
    on_call_linked(session, call_id, PARAMS, now=now)  # what the pipeline's signals stage does
    return call_id


def test_rows_follow_analyses_feedback_and_crm_changes(engine: Engine, tok: JapaneseTokenizer) -> None:
    with Session(engine) as session:
        # Inserted out of id order, with equal fees: ties in risk are ranked by customer id.
        pks = {
            cid: add_customer(session, cid, usage, fee=fee, ltv=ltv)
            for cid, usage, fee, ltv in [
                ("Z-HEAVY", 0.95, 5000, None),
                ("A-HEAVY", 0.9, 5000, None),
                ("M-LOW", 0.05, 3000, None),
                ("B-LTV", 0.5, 3000, 900_000),
                ("QUIET", 0.6, None, None),
                *((f"BASE{i:02d}", 0.1 + 0.04 * i, 4000 + 100 * i, None) for i in range(12)),
            ]
        }
        refresh_after_records_changed(session, PARAMS)
        session.commit()
        assert _ranked(_stored_matches_scratch(session)) == []

        for n, (cid, text, days) in enumerate(
            [
                ("Z-HEAVY", CHURN, 2),
                ("A-HEAVY", CHURN, 2),
                ("A-HEAVY", VALUE, 10),
                ("Z-HEAVY", VALUE, 10),
                ("M-LOW", STRUGGLE, 5),
                ("B-LTV", UNHAPPY, 40),
                ("B-LTV", CHURN, 1),
            ]
        ):
            _analyse(session, tok, pks[cid], f"call-{n}", text, NOW - timedelta(days=days), NOW)
        session.commit()
        expected = _stored_matches_scratch(session)
        ranking = _ranked(expected)
        assert ranking[0] == "B-LTV" and ranking.index("A-HEAVY") < ranking.index("Z-HEAVY")
        assert [a.customer_id for a in at_risk(session, 50)] == ranking
        assert [a.customer_id for a in at_risk(session, 2)] == ranking[:2]

        # An analyst dismisses Z-HEAVY's churn signal an hour later: their flags and row move.
        signal = session.exec(
            select(CallSignalRow)
            .join(Call, col(Call.id) == col(CallSignalRow.call_id))
            .where(Call.customer_pk == pks["Z-HEAVY"], CallSignalRow.type == "churn_intent")
        ).first()
        assert signal is not None and signal.id is not None
        record_feedback(session, signal.id, "dismiss", user="analyst")
        on_call_linked(session, signal.call_id, PARAMS, now=NOW + timedelta(hours=1))
        session.commit()
        after_feedback = _stored_matches_scratch(session)
        z_row = session.get(CustomerRisk, pks["Z-HEAVY"])
        assert z_row is not None and z_row.computed_at == NOW + timedelta(hours=1)
        assert [a.customer_id for a in at_risk(session, 50)] == _ranked(after_feedback)

        # The CRM: A-HEAVY's usage drops (no longer heavy), a big customer arrives, one churns.
        upsert_customer(session, CustomerCreate(customer_id="A-HEAVY", usage_rate=0.2, monthly_fee=5000))
        upsert_customer(session, CustomerCreate(customer_id="NEW-BIG", usage_rate=0.7, monthly_fee=90000))
        gone = CustomerCreate(customer_id="M-LOW", usage_rate=0.05, status=CustomerStatus.CHURNED)
        upsert_customer(session, gone)
        refresh_after_records_changed(session, PARAMS)
        session.commit()
        after_crm = _stored_matches_scratch(session)
        assert "M-LOW" not in _ranked(after_crm)
        a_row = session.get(CustomerRisk, pks["A-HEAVY"])
        assert a_row is not None and "cost_performance_gap" not in a_row.flags
        assert [a.customer_id for a in at_risk(session, 50)] == _ranked(after_crm)
        # Time alone: the daily rescoring (a worker duty) brings every row to the decay of its day.
        crm_time = max(r.computed_at for r in session.exec(select(CustomerRisk)).all())
        later = crm_time + timedelta(days=40)
        assert rescore_stale(session, PARAMS, now=crm_time + timedelta(hours=1)) == 0
        assert rescore_stale(session, PARAMS, now=later) > 0
        session.commit()
        assert {r.computed_at for r in session.exec(select(CustomerRisk)).all()} == {later}
        after_crm = _stored_matches_scratch(session)

        # The customer list, every sort both ways, against the same data sorted in Python.
        by_id = {a.customer_id: a for a in after_crm}
        customers = {c.customer_id: c for c in session.exec(select(Customer)).all()}
        keys: dict[CustomerSort, Callable[[str], Any]] = {
            CustomerSort.RISK: lambda cid: by_id[cid].risk_score,
            CustomerSort.HEALTH: lambda cid: by_id[cid].health_score,
            CustomerSort.FEE: lambda cid: customers[cid].monthly_fee,
            CustomerSort.NAME: lambda cid: customers[cid].name,
        }
        for sort, key in keys.items():
            for descending in (True, False):
                present = sorted(cid for cid in by_id if key(cid) is not None)
                present.sort(key=key, reverse=descending)
                want = present + sorted(cid for cid in by_id if key(cid) is None)
                query = CustomerQuery(sort=sort, descending=descending, limit=None)
                page = list_customers(session, query, PARAMS)
                assert [i.customer_id for i in page.items] == want, (sort, descending)
                assert page.total == len(want)
        flagged = list_customers(session, CustomerQuery(flagged_only=True, limit=3, offset=1), PARAMS)
        assert [i.customer_id for i in flagged.items] == _ranked(after_crm)[1:4]
        assert flagged.total == len(_ranked(after_crm))
        item = flagged.items[0]
        same = by_id[item.customer_id]
        assert (item.flags, item.evidence) == (same.flags, same.evidence)
        # Filters together: a search, the flagged ones, the follow-up state; the count agrees.
        contacted = customers[_ranked(after_crm)[0]]
        set_follow_up(session, contacted, FollowUpState.CONTACTED, by_name="cs")
        session.commit()
        for q, follow_up, want in [
            (None, FollowUpFilter.CONTACTED, [contacted.customer_id]),
            (None, FollowUpFilter.NONE, _ranked(after_crm)[1:]),
            ("heavy", None, [c for c in _ranked(after_crm) if "HEAVY" in c]),
            ("heavy", FollowUpFilter.NONE, [c for c in _ranked(after_crm)[1:] if "HEAVY" in c]),
        ]:
            query = CustomerQuery(q=q, flagged_only=True, follow_up=follow_up, limit=None)
            page = list_customers(session, query, PARAMS)
            assert ([i.customer_id for i in page.items], page.total) == (want, len(want)), (q, follow_up)


def test_backfill_scores_customers_without_a_row(engine: Engine, tok: JapaneseTokenizer) -> None:
    """A database from before the rows (or customers written without a refresh) is scored once."""
    with Session(engine) as session:
        pks = [add_customer(session, f"OLD{i}", 0.2 * i) for i in range(5)]
        call_id = add_call(session, "old-call", [GREETING, ("customer", CHURN)], customer_pk=pks[4])
        analyze_call(session, call_id, tok)
        on_call_linked(session, call_id, PARAMS, now=NOW)
        session.commit()
        for row in session.exec(select(CustomerRisk)).all():
            session.delete(row)
        session.commit()
        assert at_risk(session) == []
        assert backfill(session, PARAMS, now=NOW) == 5
        assert backfill(session, PARAMS, now=NOW) == 0
        session.commit()
        _stored_matches_scratch(session)
        assert [a.customer_id for a in at_risk(session)] == ["OLD4"]
        # A customer written without a refresh: the customer list scores them before it reads.
        add_customer(session, "LATE", 0.5)
        session.commit()
        page = list_customers(session, CustomerQuery(sort=CustomerSort.CUSTOMER_ID, limit=None), PARAMS)
        assert [i.customer_id for i in page.items] == ["OLD4", "OLD3", "OLD2", "OLD1", "OLD0", "LATE"]
        _stored_matches_scratch(session)


PERCENTILE_ONLY = SignalParams(high_usage_absolute=None)  # heavy: the top quarter, whatever the share


def _as_a_full_recompute(session: Session, pk: int, at: datetime) -> RiskAssessment:
    """The customer's stored row and flags are what a recompute of everyone gives (the population
    computed afresh, not taken from this process's cache)."""
    fresh = population_of(customer_inputs(session), PERCENTILE_ONLY)
    assert population(session, PERCENTILE_ONLY) == fresh
    stored = assess_customers(session, [pk], PERCENTILE_ONLY)[pk]
    assert stored == assess_from_scratch(session, PERCENTILE_ONLY, None, now=at)[pk]
    (customer,) = customer_inputs(session, [pk])
    due = flags_due(customer, facts_by_customer(session, [pk]).get(pk, []), fresh)
    assert sorted(due) == sorted(stored.flags)
    return stored


def test_one_customer_rescored_equals_a_full_recompute_through_every_crm_write(
    engine: Engine, tmp_path: Path
) -> None:
    """One customer's rescoring takes the population from a cache; every way the CRM changes (one
    record, an ORM edit, a bulk import, a row inserted by other means, an erasure) must show in it."""
    with Session(engine) as session:
        y = add_customer(session, "Y", 0.8)
        add_customer(session, "X", 0.3)
        for i in range(9):
            add_customer(session, f"F{i}", 0.1 + 0.05 * i)
        refresh_after_records_changed(session, PERCENTILE_ONLY)
        complaint = "この料金だと割に合わないです"
        n = 0

        def rescore_y() -> RiskAssessment:
            nonlocal n  # a new call of Y each time: what an analysed call does
            n += 1
            at = NOW + timedelta(hours=n)
            add_signal_call(
                session, f"Y-{n}", SignalType.VALUE_COMPLAINT, complaint, customer_pk=y, started_at=at
            )
            recompute_customer(session, y, PERCENTILE_ONLY, now=at)
            session.commit()
            return _as_a_full_recompute(session, y, at)

        first = rescore_y()
        assert first.flags == ["cost_performance_gap"]
        # X passes Y (one record): Y's usage rank, so their health, drops.
        upsert_customer(session, CustomerCreate(customer_id="X", usage_rate=0.9, monthly_fee=5000))
        passed = rescore_y()
        assert passed.health_score < first.health_score
        # An ORM edit of a record, then a bulk import that makes most customers heavier than Y.
        f0 = session.exec(select(Customer).where(Customer.customer_id == "F0")).one()
        f0.usage_rate = 0.99
        session.add(f0)
        rescore_y()
        rows = "\r\n".join(f"F{i},0.95" for i in range(1, 6))
        assert import_csv(session, f"customer_id,usage_rate\r\n{rows}\r\n").updated == 5
        assert rescore_y().flags == []  # not in the top quarter any more
        # A row inserted by other means (no ORM, no import), then a customer erased.
        table = Customer.__table__  # type: ignore[attr-defined]
        session.execute(
            insert(table).values(
                customer_id="RAW",
                usage_rate=0.05,
                monthly_fee=90_000,
                attributes={},
                status="active",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        rescore_y()
        erase_customer(session, LocalAudioStore(tmp_path), "X")
        rescore_y()


def test_the_customer_page_scores_a_customer_without_a_row(engine: Engine, tok: JapaneseTokenizer) -> None:
    """The page reads the stored row; one written without a refresh is scored as the lists would."""
    with Session(engine) as session:
        pk = add_customer(session, "NOROW", 0.9)
        call_id = add_call(session, "norow-call", [GREETING, ("customer", CHURN)], customer_pk=pk)
        analyze_call(session, call_id, tok)
        on_call_linked(session, call_id, PARAMS, now=NOW)
        session.commit()
        stored = customer_page(session, "NOROW", PARAMS)
        assert stored is not None and stored["flags"] and stored["evidence"]
        session.delete(session.get(CustomerRisk, pk))
        session.commit()
        scored = customer_page(session, "NOROW", PARAMS)
        assert scored is not None
        expected = assess_from_scratch(session, PARAMS, [pk])[pk]
        assert (scored["risk_score"], scored["health_score"], scored["flags"]) == (
            expected.risk_score,
            expected.health_score,
            expected.flags,
        )
        assert scored["evidence"] == [e.as_dict() for e in expected.evidence] == stored["evidence"]
        assert [c["external_id"] for c in scored["calls"]] == ["norow-call"]
        assert customer_page(session, "NOBODY", PARAMS) is None
