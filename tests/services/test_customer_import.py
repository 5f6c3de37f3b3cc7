"""`voc customers import` and the API import go through one service: the same report, the same audit
entry, flags recomputed once the records are in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner, Result

from api.app import create_app
from tests.api.conftest import make_key
from tests.signals.helpers import add_signal_call
from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis
from voc.cli.common import CliError
from voc.cli.customers import app as customers_app
from voc.db.audit import AuditEntry
from voc.db.customers import Customer
from voc.db.risk import CustomerRisk
from voc.db.signals import CustomerFlag, CustomerFlagEvent, FlagType, SignalType
from voc.runtime import Runtime
from voc.services.customer_import import ACTION, import_customers
from voc.signals.at_risk import assess_customers, assess_from_scratch
from voc.signals.flags import recompute_all
from voc.signals.params import SignalParams


@pytest.fixture
def crm_api(runtime: Runtime) -> Iterator[TestClient]:
    """A client with the key a CRM integration uses (customers.write)."""
    headers = {"Authorization": f"Bearer {make_key(runtime, 'integration', 'crm-sync')}"}
    with TestClient(create_app(runtime=runtime), headers=headers) as client:
        yield client


def cli_import(runtime: Runtime, path: Path) -> Result:
    return CliRunner().invoke(customers_app, ["import", str(path)], obj={"runtime": runtime})


def import_entries(runtime: Runtime) -> list[AuditEntry]:
    with Session(runtime.engine) as session:
        return list(
            session.exec(
                select(AuditEntry).where(AuditEntry.action == ACTION).order_by(col(AuditEntry.id))
            ).all()
        )


def test_cli_and_api_report_the_same_for_a_shift_jis_file_with_bad_rows(
    runtime: Runtime, crm_api: TestClient, tmp_path: Path
) -> None:
    path = tmp_path / "crm.csv"
    path.write_bytes(crm_sjis())
    cli = cli_import(runtime, path)
    assert cli.exit_code == 0, cli.output
    # The same file again over HTTP: every good row is now an update, the bad rows the same lines.
    upload = {"file": ("crm.csv", crm_sjis(), "text/csv")}
    body = crm_api.post("/api/v1/customers/import", files=upload).json()
    assert (body["created"], body["updated"]) == (0, len(CRM_GOOD))
    assert f"{len(CRM_GOOD)} created, 0 updated, {len(CRM_BAD_LINES)} rejected" in cli.stdout
    assert [e["line"] for e in body["errors"]] == list(CRM_BAD_LINES)
    for error in body["errors"]:
        assert f"line {error['line']}: {error['reason']}" in cli.stderr
    cli_entry, api_entry = import_entries(runtime)
    assert cli_entry.key_name is None and api_entry.key_name == "crm-sync"
    assert cli_entry.detail == {
        "created": len(CRM_GOOD),
        "updated": 0,
        "rejected": len(CRM_BAD_LINES),
        "linked_calls": 0,
    }
    assert api_entry.detail == {**cli_entry.detail, "created": 0, "updated": len(CRM_GOOD)}


def test_an_undecodable_file_is_refused_whole_by_both(
    runtime: Runtime, crm_api: TestClient, tmp_path: Path
) -> None:
    junk = bytes(range(128, 256)) * 4
    path = tmp_path / "crm.csv"
    path.write_bytes(junk)
    cli = cli_import(runtime, path)
    r = crm_api.post("/api/v1/customers/import", files={"file": ("crm.csv", junk, "text/csv")})
    # Through CliRunner the error is the exception `voc` prints as one line (exit 2).
    assert isinstance(cli.exception, CliError) and cli.exception.exit_code == 2
    assert r.status_code == 422
    assert "Shift_JIS" in str(cli.exception) and "Shift_JIS" in r.json()["detail"]
    assert import_entries(runtime) == []


def test_a_file_that_loads_nothing_exits_1_and_audits_nothing(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("name,phone\n山田,03-1111-2222\n", encoding="utf-8")
    cli = cli_import(runtime, path)
    assert cli.exit_code == 1 and "line 1: customer_id" in cli.stderr
    assert import_entries(runtime) == []


def add_value_complaint(session: Session, caller_number: str) -> None:
    """A call that came in before its customer was in the CRM: a heavy user's "not worth the price"."""
    add_signal_call(
        session,
        caller_number,
        SignalType.VALUE_COMPLAINT,
        "この値段だと割に合わないです",
        caller_number=caller_number,
    )
    session.commit()


def crm(usage: dict[str, float]) -> bytes:
    rows = [f"{cid},顧客{cid},03-1111-{i:04d},{rate}" for i, (cid, rate) in enumerate(usage.items())]
    return ("customer_id,name,phone,usage_rate\r\n" + "\r\n".join(rows) + "\r\n").encode("cp932")


def active_flags(session: Session, customer_id: str) -> set[str]:
    rows = session.exec(
        select(CustomerFlag.flag)
        .join(Customer, col(Customer.id) == col(CustomerFlag.customer_pk))
        .where(Customer.customer_id == customer_id, CustomerFlag.active == True)  # noqa: E712
    ).all()
    return set(rows)


def test_flags_are_recomputed_after_the_import(runtime: Runtime) -> None:
    params = SignalParams()
    with Session(runtime.engine) as session:
        add_value_complaint(session, "+81311110000")
        done = import_customers(session, crm({"H1": 0.95, "L1": 0.2, "L2": 0.3}), params, actor=None)
        session.commit()
        assert len(done.linked_calls) == 1  # the call waiting for H1's number
        assert active_flags(session, "H1") == {FlagType.COST_PERFORMANCE_GAP}
        # The CRM now says H1 hardly uses the service: no longer a heavy user, the flag is cleared.
        import_customers(session, crm({"H1": 0.05, "L1": 0.2, "L2": 0.3}), params, actor=None)
        session.commit()
        assert active_flags(session, "H1") == set()


def stored_state(session: Session) -> dict[str, Any]:
    """Everything an import writes that a re-import must not move, as columns."""
    return {
        "customers": sorted(session.exec(select(Customer.customer_id, Customer.updated_at)).all()),
        "risk": sorted(
            session.exec(
                select(
                    CustomerRisk.customer_id,
                    CustomerRisk.risk_score,
                    CustomerRisk.health_score,
                    CustomerRisk.computed_at,
                )
            ).all()
        ),
        "flags": sorted(session.exec(select(CustomerFlag.customer_pk, CustomerFlag.updated_at)).all()),
        "events": session.exec(select(func.count()).select_from(CustomerFlagEvent)).one(),
    }


def assert_rows_as_from_scratch(session: Session, params: SignalParams) -> None:
    """Each risk row is what a computation from scratch gives as of its time, and the flags in force are
    those due (a full recompute afterwards finds nothing to change)."""
    rows = session.exec(select(CustomerRisk)).all()
    by_time: dict[datetime, list[int]] = {}
    for row in rows:
        by_time.setdefault(row.computed_at, []).append(row.customer_pk)
    for at, pks in by_time.items():
        assert assess_customers(session, pks, params) == assess_from_scratch(session, params, pks, now=at)
    assert len(rows) == session.exec(select(func.count()).select_from(Customer)).one()
    assert recompute_all(session, params) == {}


USAGE = {"H1": 0.95, "L1": 0.2, "L2": 0.3, "M1": 0.5}


def first_import(session: Session, params: SignalParams) -> dict[str, Any]:
    """H1 (a heavy user who complained about the price before the CRM had them) and three others."""
    add_value_complaint(session, "+81311110000")
    import_customers(session, crm(USAGE), params, actor=None)
    session.commit()
    assert active_flags(session, "H1") == {FlagType.COST_PERFORMANCE_GAP}
    return stored_state(session)


def test_the_same_file_again_rewrites_nothing(runtime: Runtime) -> None:
    params = SignalParams()
    usage = USAGE
    with Session(runtime.engine) as session:
        before = first_import(session, params)
        again = import_customers(session, crm(usage), params, actor=None)
        session.commit()
        assert (again.created, again.updated) == (0, len(usage))  # reported as the rows of the file
        assert stored_state(session) == before
        assert_rows_as_from_scratch(session, params)


def test_an_edit_that_leaves_the_population_recomputes_that_customer_only(runtime: Runtime) -> None:
    params = SignalParams()
    usage = USAGE
    with Session(runtime.engine) as session:
        before = first_import(session, params)
        # H1 renamed and churned: the usage ranks and values stay, H1 leaves the at-risk list.
        rows = [
            f"{cid},顧客{cid},03-1111-{i:04d},{rate},active" for i, (cid, rate) in enumerate(usage.items())
        ]
        rows[0] = "H1,新しい名前,03-1111-0000,0.95,churned"
        text = "customer_id,name,phone,usage_rate,status\r\n" + "\r\n".join(rows) + "\r\n"
        import_customers(session, text.encode("cp932"), params, actor=None)
        session.commit()
        after = stored_state(session)
        moved = {new[0] for new, old in zip(after["risk"], before["risk"], strict=True) if new[3] != old[3]}
        assert moved == {"H1"}
        h1 = session.exec(select(CustomerRisk).where(CustomerRisk.customer_id == "H1")).one()
        assert not h1.listed and h1.flags == [FlagType.COST_PERFORMANCE_GAP]
        assert_rows_as_from_scratch(session, params)
        # A change to usage moves the ranks of everyone: every row is recomputed, and right.
        import_customers(session, crm({**usage, "L1": 0.99}), params, actor=None)
        session.commit()
        assert {r[3] for r in stored_state(session)["risk"]} != {r[3] for r in after["risk"]}
        assert_rows_as_from_scratch(session, params)
