"""``voc bench crm-import``: a 20,000-row Shift_JIS CRM export imported into a fresh database, then
imported again (every row an update), then that file once more (nothing changed), through the same
service as ``voc customers import``.

Calls with signals are seeded first, unlinked, from the customers' numbers (calls that came in before the
CRM was loaded), so that each import also links calls and recomputes real flags, as it does for a user.
Each time is the whole import: read and decode the file, validate, write, link, recompute, commit.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from voc.bench.crm_data import bad_rows, phone_for, write_crm_csv
from voc.customers.phones import normalise_phone, split_phones
from voc.db.calls import Call, CallStatus
from voc.db.customers import Customer
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.db.signals import CallSignalRow, SignalType
from voc.db.types import utcnow
from voc.errors import ConflictError
from voc.services.customer_import import import_customers
from voc.signals.params import SignalParams

SIGNAL_TEXTS = {
    SignalType.VALUE_COMPLAINT: "この値段でこの内容だと正直割に合わないです",
    SignalType.CHURN_INTENT: "来月で解約しようと思っています",
    SignalType.DISSATISFACTION: "何度問い合わせても解決しなくて不満です",
    SignalType.FEATURE_STRUGGLE: "設定の仕方がまったく分かりません",
}


@dataclass(frozen=True, slots=True)
class ImportRun:
    name: str
    seconds: float
    created: int
    updated: int
    rejected: int
    linked_calls: int


@dataclass(frozen=True, slots=True)
class CrmImportBench:
    backend: str
    rows: int
    calls: int
    runs: list[ImportRun]

    def markdown(self) -> str:
        lines = [
            f"{self.rows:,} rows (Shift_JIS, CRLF, {bad_rows(self.rows)} bad rows), {self.calls:,} calls "
            f"with a signal each waiting for their customer, {self.backend}",
            "",
            "| import | seconds | rows / s | created | updated | rejected | calls linked |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for run in self.runs:
            lines.append(
                f"| {run.name} | {run.seconds:.2f} | {self.rows / run.seconds:,.0f} | {run.created} | "
                f"{run.updated} | {run.rejected} | {run.linked_calls} |"
            )
        return "\n".join(lines) + "\n"


def seed_calls(session: Session, n: int, customers: int) -> None:
    """``n`` analysed calls from the numbers of the first customers, not linked to anyone yet."""
    types = list(SIGNAL_TEXTS)
    now = utcnow()
    for i in range(n):
        number = normalise_phone(split_phones(phone_for(i % customers))[0])
        call = Call(
            audio_sha256=hashlib.sha256(f"crm-bench-{i}".encode()).hexdigest(),
            external_id=f"crm-bench-{i}",
            caller_number=number,
            started_at=now - timedelta(hours=i),
            status=CallStatus.DONE,
            duration_s=180.0,
        )
        session.add(call)
        session.flush()
        assert call.id is not None
        kind = types[i % len(types)]
        session.add(
            CallSignalRow(
                call_id=call.id,
                segment_idx=1,
                type=kind,
                score=0.9,
                speaker="customer",
                start=12.0,
                end=16.5,
                text=SIGNAL_TEXTS[kind],
            )
        )
    session.commit()


def run_crm_import_bench(
    workdir: Path,
    *,
    rows: int = 20_000,
    calls: int = 10_000,
    database_url: str | None = None,
    params: SignalParams | None = None,
) -> CrmImportBench:
    """Generate the files under ``workdir``, import both into a fresh database (SQLite in ``workdir``
    unless ``database_url`` names an empty one), and time each import."""
    url = database_url or f"sqlite:///{workdir / 'crm-bench.db'}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            if session.exec(select(func.count()).select_from(Customer)).one():
                raise ConflictError(f"the benchmark needs an empty database: {make_url(url).database}")
            seed_calls(session, calls, rows)
        first = write_crm_csv(workdir / "crm.csv", rows)
        second = write_crm_csv(workdir / "crm-updated.csv", rows, revision=1)
        runs = [
            _timed(engine, "first (all new)", first, params or SignalParams()),
            _timed(engine, "again, every row changed (all updates)", second, params or SignalParams()),
            # Nothing to write: what a nightly sync of an unchanged export costs.
            _timed(engine, "the same file again (nothing changed)", second, params or SignalParams()),
        ]
        return CrmImportBench(backend=engine.dialect.name, rows=rows, calls=calls, runs=runs)
    finally:
        engine.dispose()


def _timed(engine: Engine, name: str, path: Path, params: SignalParams) -> ImportRun:
    start = time.perf_counter()
    with Session(engine) as session:
        done = import_customers(session, path, params, actor=None)
        session.commit()
    return ImportRun(
        name=name,
        seconds=time.perf_counter() - start,
        created=done.created,
        updated=done.updated,
        rejected=len(done.errors),
        linked_calls=len(done.linked_calls),
    )
