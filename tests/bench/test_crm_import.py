"""`voc bench crm-import` on a small file: both imports go through the service and report what they did."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from typer.testing import CliRunner

from tests.conftest import BACKENDS
from tests.databases import POSTGRES_ADMIN_URL
from tests.signals.helpers import add_customer
from voc.bench.crm_data import crm_rows
from voc.bench.crm_import import run_crm_import_bench
from voc.cli.bench import app as bench_app
from voc.errors import ConflictError


def test_the_bench_imports_new_then_updated_rows_and_links_the_waiting_calls(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    result = run_crm_import_bench(tmp_path, rows=1200, calls=30, database_url=database_url)
    first, again, same = result.runs
    assert (first.created, first.updated, first.rejected, first.linked_calls) == (1199, 0, 1, 30)
    assert (again.created, again.updated, again.rejected, again.linked_calls) == (0, 1199, 1, 0)
    assert (same.created, same.updated, same.rejected, same.linked_calls) == (0, 1199, 1, 0)
    assert result.backend == engine.dialect.name
    assert "| first (all new) |" in result.markdown()
    assert (tmp_path / "crm.csv").read_bytes().decode("cp932").count("\r\n") == len(crm_rows(1200)) + 1


def test_the_bench_refuses_a_database_with_customers(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with Session(engine) as session:
        add_customer(session, "C1", 0.5)
        session.commit()
    with pytest.raises(ConflictError, match="empty database"):
        run_crm_import_bench(tmp_path, rows=10, calls=0, database_url=database_url)


def test_voc_bench_crm_import_writes_its_section(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    result = CliRunner().invoke(
        bench_app, ["crm-import", "--rows", "50", "--calls", "5", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    assert "<!-- bench:crm-import-sqlite -->" in text and "| first (all new) |" in text


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="VOC_TEST_BACKENDS leaves PostgreSQL out")
def test_voc_bench_crm_import_on_a_fresh_postgres_database(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    server = POSTGRES_ADMIN_URL
    args = ["crm-import", "--rows", "50", "--calls", "5", "--database-url", server, "--output", str(output)]
    result = CliRunner().invoke(bench_app, args)
    assert result.exit_code == 0, result.output
    assert "<!-- bench:crm-import-postgresql -->" in output.read_text(encoding="utf-8")
