"""``voc bench api``: read latency of the HTTP API at 1 and 50 concurrent clients while workers transcribe.

The service runs as ``voc serve`` runs it: the API in several serving processes (one per core by default, a
listening socket each: ``voc.process_manager``) and real pipeline workers
(``voc.assembly.supervise_workers``, at their lower CPU priority) transcribing the example calls throughout.
The database is seeded in bulk statements (not through the pipeline) with calls, transcripts, signals and
customers; then the CRM refresh computes every customer's flags and risk row as after an import. Measured,
per level of concurrency: the calls list, one call, one customer, the customer list and the at-risk list,
p50 / p99, and the CPU time each party used meanwhile (serving processes, workers, the load generator, the
rest of the machine) with the priorities the serving and worker threads really run at. The clients
(``voc.bench.http_load``) run in a process of their own: on the same cores, they are part of the load, so
they are lean and their cost is shown.

``database_url``: a PostgreSQL server (``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``): a fresh
database is created on it for the run and dropped after. By default a fresh SQLite file.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import random
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, func, insert, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from voc.assembly import build_runtime, load_settings, signal_params, supervise_workers
from voc.bench.http_load import EndpointStats, LoadPlan, run_load
from voc.calls.ingest import register_call
from voc.customers.refresh import refresh_after_records_changed
from voc.db.calls import Call, CallCreate, CallStatus, Segment
from voc.db.customers import Customer, CustomerStatus
from voc.db.risk import CustomerRisk
from voc.db.signals import CallSignalRow, SignalType
from voc.db.types import utcnow
from voc.pipeline.proctree import (
    cpu_seconds,
    descendants,
    machine_busy_seconds,
    processes_named,
    thread_nices,
)
from voc.pipeline.supervisor import Supervisor
from voc.process_manager import ServingPlan, serve, sockets_per_process
from voc.runtime import Runtime
from voc.security.keys import create_key
from voc.settings import Settings

log = logging.getLogger(__name__)

#: What each serving process imports (as ``voc serve``): the library never imports the web layer.
SERVING_APP = "api.serving:serving_app"
PHRASES = (
    "料金が高いので解約を考えています",
    "使い方がよく分からなくて困っています",
    "他社のほうが安いと聞きました",
    "ご利用ありがとうございます。担当の佐藤です",
    "請求書の金額について確認したいです",
)
SIGNAL_TYPES = (
    SignalType.CHURN_INTENT,
    SignalType.VALUE_COMPLAINT,
    SignalType.DISSATISFACTION,
    SignalType.COMPETITOR_MENTION,
    SignalType.FEATURE_STRUGGLE,
)


@dataclass
class CpuUse:
    """CPU seconds used during one level, by whom (from ``/proc``; zeros where there is none)."""

    serving: float  # the uvicorn processes
    workers: float  # the transcribing worker processes and their decoders
    generator: float  # the load generator's own process
    database: float  # the PostgreSQL server's processes (all of them: other users' too); 0 on SQLite
    machine: float  # every core busy, all processes (other jobs: the rest)

    @property
    def others(self) -> float:
        return max(0.0, self.machine - self.serving - self.workers - self.generator - self.database)


@dataclass
class LoadLevel:
    concurrency: int
    wall_s: float
    endpoints: list[EndpointStats]
    cpu: CpuUse
    connections: list[int]  # the clients' connections each serving process held, most first (/proc)

    @property
    def requests(self) -> int:
        return sum(len(e.latencies_ms) + e.errors for e in self.endpoints)


@dataclass
class ApiBenchResult:
    backend: str
    calls: int
    customers: int
    at_risk: int
    workers: int
    serving_processes: int
    seed_s: float
    refresh_s: float
    transcribed: int  # calls the workers finished while the clients were reading
    levels: list[LoadLevel]
    serving_nice: list[int]  # the nice value of every thread of the serving processes, as measured
    worker_nice: list[int]  # … and of the workers' threads (they lower their own priority)

    @property
    def requests(self) -> int:
        return sum(level.requests for level in self.levels)

    def markdown(self) -> str:
        lines = [
            f"**{self.backend}**: {self.calls} calls and {self.customers} customers seeded in "
            f"{self.seed_s:.1f} s ({self.at_risk} on the at-risk list); the CRM refresh (flags and risk "
            f"rows of every customer) {self.refresh_s:.1f} s. {self.serving_processes} serving "
            f"process(es); {self.workers} worker process(es) transcribing, {self.transcribed} call(s) "
            "finished during the measurement.",
            "",
            "| endpoint | clients | requests | errors | p50 ms | p99 ms | req/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for level in self.levels:
            every = EndpointStats(
                "all",
                [x for e in level.endpoints for x in e.latencies_ms],
                sum(e.errors for e in level.endpoints),
            )
            for e in [*level.endpoints, every]:
                rate = len(e.latencies_ms) / level.wall_s if level.wall_s else 0.0
                lines.append(
                    f"| {e.name} | {level.concurrency} | {len(e.latencies_ms)} | {e.errors} | "
                    f"{e.quantile(0.5):.1f} | {e.quantile(0.99):.1f} | {rate:.0f} |"
                )
        lines += [
            "",
            "Closed loop: each client sends its next request as soon as the last one is answered, so at N "
            "clients a request's latency is about N / throughput (Little's law). The clients run in a "
            "process of their own on the same cores (keep-alive HTTP/1.1 on asyncio streams).",
            "",
            "Keep-alive connections per serving process, counted a second into each level: "
            + ", ".join(f"{level.concurrency} client(s) {_split(level.connections)}" for level in self.levels)
            + ".",
            "",
            f"Priorities as measured (nice of every thread): serving processes {_span(self.serving_nice)}, "
            f"workers {_span(self.worker_nice)}.",
            "",
            "| clients | CPU s serving | ms / request | CPU s database server | ms / request | CPU s workers "
            "| CPU s load generator | ms / request | CPU s rest of the machine | wall s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for level in self.levels:
            cpu, n = level.cpu, max(1, level.requests)
            lines.append(
                f"| {level.concurrency} | {cpu.serving:.1f} | {1000 * cpu.serving / n:.2f} | "
                f"{cpu.database:.1f} | {1000 * cpu.database / n:.2f} | "
                f"{cpu.workers:.1f} | {cpu.generator:.1f} | {1000 * cpu.generator / n:.2f} | "
                f"{cpu.others:.1f} | {level.wall_s:.1f} |"
            )
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "calls": self.calls,
            "customers": self.customers,
            "workers": self.workers,
            "serving_processes": self.serving_processes,
            "seed_s": round(self.seed_s, 2),
            "refresh_s": round(self.refresh_s, 2),
            "transcribed": self.transcribed,
            "serving_nice": sorted(set(self.serving_nice)),
            "worker_nice": sorted(set(self.worker_nice)),
            "levels": [
                {
                    "concurrency": level.concurrency,
                    "wall_s": round(level.wall_s, 2),
                    "connections": level.connections,
                    "cpu_s": {
                        "serving": round(level.cpu.serving, 2),
                        "workers": round(level.cpu.workers, 2),
                        "generator": round(level.cpu.generator, 2),
                        "database": round(level.cpu.database, 2),
                        "others": round(level.cpu.others, 2),
                    },
                    "endpoints": {
                        e.name: {
                            "requests": len(e.latencies_ms),
                            "errors": e.errors,
                            "p50_ms": round(e.quantile(0.5), 2),
                            "p99_ms": round(e.quantile(0.99), 2),
                            "mean_ms": round(statistics.fmean(e.latencies_ms), 2) if e.latencies_ms else None,
                        }
                        for e in level.endpoints
                    },
                }
                for level in self.levels
            ],
        }


def _span(values: Sequence[int]) -> str:
    if not values:
        return "not measured (no /proc)"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def _split(connections: Sequence[int]) -> str:
    return "/".join(map(str, connections)) if connections else "not measured (no /proc)"


def _tree(pids: Sequence[int]) -> list[int]:
    return [p for pid in pids for p in (pid, *descendants(pid))]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(settings: Settings, port: int, processes: int) -> None:
    os.environ["VOC_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        os.environ["VOC_DATABASE_URL"] = settings.database_url
    serve(ServingPlan(SERVING_APP, "127.0.0.1", port, log_level="warning", access_log=False), processes)


def _wait_until_up(url: str, server: multiprocessing.process.BaseProcess, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise RuntimeError("the API server exited during start-up")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the API server did not start")


@contextmanager
def fresh_postgres(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url`` for the run; dropped afterwards."""
    name = f"voc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def seed(
    engine: Engine,
    n_calls: int,
    n_customers: int,
    segments_per_call: int,
    *,
    signal_share: float = 0.3,
    seed_value: int = 7,
) -> tuple[list[str], list[int]]:
    """Customers, transcribed calls and their signals in bulk INSERTs; returns the customer ids and the
    call ids. Rows are built from the table models, so every column gets its default."""
    rng = random.Random(seed_value)
    now = utcnow()
    customers = [
        Customer(
            customer_id=f"B{i:05d}",
            name=f"顧客{i}",
            plan=rng.choice(("ライト", "スタンダード", "プレミアム")),
            monthly_fee=rng.choice((1980, 4980, 9800, 29800)),
            usage_rate=round(rng.random(), 3),
            tenure_months=rng.randint(0, 120),
            status=CustomerStatus.CHURNED if rng.random() < 0.05 else CustomerStatus.ACTIVE,
            attributes={"segment": rng.choice(("SMB", "ENT", "個人"))},
        ).model_dump(exclude={"id"})
        for i in range(n_customers)
    ]
    with engine.begin() as conn:
        for chunk in _chunks(customers):
            conn.execute(insert(Customer), chunk)
        pks = [pk for (pk,) in conn.execute(select(Customer.id).order_by(col(Customer.id))).all()]
        calls = [
            Call(
                audio_sha256=f"{i:064x}",
                external_id=f"bench-{i}",
                agent=f"agent{i % 7}",
                started_at=now - timedelta(minutes=i),
                customer_pk=pks[(i * 7919) % len(pks)],
                status=CallStatus.DONE,
                stage_progress=1.0,
                attempts=1,
                duration_s=segments_per_call * 6.0,
                channels=2,
                metrics={"talk_ratio": 0.5},
            ).model_dump(exclude={"id"})
            for i in range(n_calls)
        ]
        call_ids: list[int] = []
        for chunk in _chunks(calls):
            returning = insert(Call).returning(col(Call.id), sort_by_parameter_order=True)
            found = conn.execute(returning, chunk).scalars().all()
            call_ids.extend(int(pk) for pk in found if pk is not None)
        segments: list[dict[str, Any]] = []
        signals: list[dict[str, Any]] = []
        # One row built (and validated) by each model; the others are copies of it with their values.
        segment_row = Segment(call_id=0, idx=0, speaker="operator", start=0, end=0, text="").model_dump(
            exclude={"id"}
        )
        signal_row = CallSignalRow(
            call_id=0,
            segment_idx=0,
            type=SignalType.CHURN_INTENT,
            score=0,
            speaker="",
            start=0,
            end=0,
            text="x",
        ).model_dump(exclude={"id"})
        for call_id in call_ids:
            for j in range(segments_per_call):
                phrase = rng.choice(PHRASES)
                speaker = "customer" if j % 2 else "operator"
                place = {"call_id": call_id, "speaker": speaker, "start": j * 6.0, "end": j * 6.0 + 5.5}
                segments.append(segment_row | place | {"idx": j, "text": phrase, "tokens": []})
                if j == 1 and rng.random() < signal_share:
                    signals.append(
                        signal_row
                        | place
                        | {
                            "segment_idx": j,
                            "type": rng.choice(SIGNAL_TYPES),
                            "score": round(rng.uniform(0.55, 0.95), 3),
                            "text": phrase,
                        }
                    )
            if len(segments) >= 20_000:
                conn.execute(insert(Segment), segments)
                segments = []
        if segments:
            conn.execute(insert(Segment), segments)
        for chunk in _chunks(signals):
            conn.execute(insert(CallSignalRow), chunk)
    return [str(c["customer_id"]) for c in customers], call_ids


def enqueue_audio(rt: Runtime, files: Sequence[Path], copies: int) -> list[int]:
    """Queue ``copies`` calls of each recording (stored once, content-addressed) for the workers."""
    ids = []
    with Session(rt.engine) as session:
        for path in files:
            audio = rt.store.put_file(path)
            layout = "mono" if "mono" in path.stem else "stereo_operator_left"
            for n in range(copies):
                meta = CallCreate(external_id=f"work-{path.stem}-{n}", channel_layout=layout)
                registered = register_call(session, audio, meta, original_filename=path.name)
                assert registered.call.id is not None
                ids.append(registered.call.id)
        session.commit()
    return ids


def _done(engine: Engine, ids: Sequence[int]) -> int:
    with Session(engine) as session:
        found = session.exec(
            select(func.count())
            .select_from(Call)
            .where(col(Call.id).in_(list(ids)), Call.status == CallStatus.DONE)
        ).one()
    return int(found)


def _wait_until_transcribing(engine: Engine, ids: Sequence[int], timeout_s: float = 180) -> None:
    """Until a worker has loaded its model and is transcribing (the reads are measured against that)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with Session(engine) as session:
            busy = session.exec(
                select(func.count())
                .select_from(Call)
                .where(col(Call.id).in_(list(ids)), Call.status == CallStatus.TRANSCRIBING)
            ).one()
        if busy:
            return
        time.sleep(0.5)
    raise RuntimeError("no worker started transcribing")


@dataclass
class _Readings:
    """CPU seconds so far of each serving process, each worker process (with its decoders), each
    PostgreSQL server process, and of the whole machine."""

    serving: dict[int, float]
    workers: dict[int, float]
    database: dict[int, float]
    machine: float

    @classmethod
    def now(cls, server: int | None, supervisor: Supervisor | None, postgres: bool) -> _Readings:
        serving = _tree([server]) if server is not None else []
        workers = _tree(list(supervisor.pids().values())) if supervisor is not None else []
        database = processes_named("postgres") if postgres else []
        return cls(_by_pid(serving), _by_pid(workers), _by_pid(database), machine_busy_seconds() or 0.0)

    def since(self, before: _Readings, generator_s: float) -> CpuUse:
        return CpuUse(
            serving=_used(before.serving, self.serving),
            workers=_used(before.workers, self.workers),
            generator=generator_s,
            database=_used(before.database, self.database),
            machine=self.machine - before.machine,
        )


def _by_pid(pids: list[int]) -> dict[int, float]:
    return {pid: cpu_seconds([pid]) for pid in pids}


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    # Per process: one that started meanwhile (a replaced worker, a decoder) counts from zero.
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def _connection_split(server: int | None, port: int, after_s: float) -> list[int]:
    """How the clients' connections are spread over the serving processes, once they are all open."""
    time.sleep(after_s)
    serving = _tree([server]) if server is not None else []
    return sorted((held.connections for held in sockets_per_process(serving, port).values()), reverse=True)


def _at_risk_count(engine: Engine) -> int:
    with Session(engine) as session:
        listed = select(func.count()).select_from(CustomerRisk).where(CustomerRisk.listed == True)  # noqa: E712
        return int(session.exec(listed).one())


def run_api_bench(
    *,
    n_calls: int = 10_000,
    n_customers: int = 20_000,
    segments_per_call: int = 12,
    concurrency: Sequence[int] = (1, 50),
    requests: int = 100_000,
    duration_s: float = 45.0,
    workers: int = 2,
    audio: Sequence[Path] = (),
    serving_processes: int | None = None,
    copies: int = 8,
    database_url: str | None = None,
    data_dir: Path | None = None,
) -> ApiBenchResult:
    """Seed, serve, keep ``workers`` transcribing, and load at each level of ``concurrency`` for
    ``duration_s`` or ``requests`` requests, whichever comes first.

    ``database_url``: a PostgreSQL server to create a fresh database on (dropped after); default SQLite.
    ``workers`` > 0 needs the ASR model and ``audio``: they transcribe ``copies`` calls of each file.
    """
    if workers and not audio:
        raise ValueError("transcribing workers need recordings (audio)")
    if database_url:
        with fresh_postgres(database_url) as url:
            return _run(url, n_calls, n_customers, segments_per_call, concurrency, requests, duration_s,
                        workers, audio, serving_processes, copies, data_dir)  # fmt: skip
    return _run(None, n_calls, n_customers, segments_per_call, concurrency, requests, duration_s,
                workers, audio, serving_processes, copies, data_dir)  # fmt: skip


def _run(
    database_url: str | None,
    n_calls: int,
    n_customers: int,
    segments_per_call: int,
    concurrency: Sequence[int],
    requests: int,
    duration_s: float,
    workers: int,
    audio: Sequence[Path],
    serving_processes: int | None,
    copies: int,
    data_dir: Path | None,
) -> ApiBenchResult:
    with tempfile.TemporaryDirectory(prefix="voc-bench-api-") as tmp:
        root = data_dir or Path(tmp)
        settings = load_settings(_env_file=None, data_dir=root / "var", database_url=database_url)
        if workers and not (settings.asr.model_dir / "model.bin").exists():
            raise FileNotFoundError(f"transcribing workers need the ASR model: {settings.asr.model_dir}")
        processes = serving_processes or max(1, os.cpu_count() or 1)
        rt = build_runtime(settings, migrate=True)
        try:
            started = time.perf_counter()
            customers, call_ids = seed(rt.engine, n_calls, n_customers, segments_per_call)
            seed_s = time.perf_counter() - started
            started = time.perf_counter()
            with Session(rt.engine) as session:
                refresh_after_records_changed(session, signal_params(settings))
                session.commit()
            refresh_s = time.perf_counter() - started
            with Session(rt.engine) as session:
                _, key = create_key(session, "analyst", "bench")
                session.commit()
            work = enqueue_audio(rt, audio, copies) if workers else []
            context = multiprocessing.get_context("spawn")
            port = _free_port()
            # Its own processes, as with `voc serve`: the load generator must not share their GIL.
            # Not a daemon: the process manager starts the serving processes (stopped in `finally`).
            server = context.Process(target=_serve, args=(settings, port, processes))
            server.start()
            supervisor = supervise_workers(settings, rt.engine, workers).start() if workers else None
            try:
                _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
                if work:
                    _wait_until_transcribing(rt.engine, work)
                rng = random.Random(3)
                some_calls = rng.sample(call_ids, min(500, len(call_ids)))
                some_customers = rng.sample(customers, min(500, len(customers)))
                targets = [
                    ("GET /api/v1/calls?limit=50", ["/api/v1/calls?limit=50"]),
                    ("GET /api/v1/calls/{id}", [f"/api/v1/calls/{i}" for i in some_calls]),
                    ("GET /api/v1/customers/{id}", [f"/api/v1/customers/{c}" for c in some_customers]),
                    ("GET /api/v1/customers?limit=50", ["/api/v1/customers?limit=50"]),
                    ("GET /api/v1/at-risk?limit=50", ["/api/v1/at-risk?limit=50"]),
                ]
                headers = {"Authorization": f"Bearer {key}"}
                postgres = rt.engine.dialect.name == "postgresql"
                # The clients in a process of their own: their CPU is measured apart, and they do not
                # share a GIL with the bench's bookkeeping.
                with ProcessPoolExecutor(1, mp_context=context) as generator:
                    # Each serving process's first requests (imports, pool) are not what a CRM sees later.
                    warm = LoadPlan("127.0.0.1", port, headers, targets, 4, 20 * len(targets) * processes, 30)
                    generator.submit(run_load, warm).result()
                    done_before = _done(rt.engine, work) if work else 0
                    levels = []
                    for clients in concurrency:
                        plan = LoadPlan("127.0.0.1", port, headers, targets, clients, requests, duration_s)
                        before = _Readings.now(server.pid, supervisor, postgres)
                        running = generator.submit(run_load, plan)
                        split = _connection_split(server.pid, port, min(1.0, duration_s / 3))
                        run = running.result()
                        used = _Readings.now(server.pid, supervisor, postgres).since(before, run.cpu_s)
                        levels.append(LoadLevel(clients, run.wall_s, run.endpoints, used, split))
                    readings = _Readings.now(server.pid, supervisor, postgres)
                    serving_nice = [n for pid in readings.serving for n in thread_nices(pid)]
                    worker_nice = [n for pid in readings.workers for n in thread_nices(pid)]
                transcribed = (_done(rt.engine, work) - done_before) if work else 0
            finally:
                if supervisor is not None:
                    supervisor.stop()
                server.terminate()
                server.join(30)
            return ApiBenchResult(
                backend=rt.engine.dialect.name,
                calls=n_calls,
                customers=n_customers,
                at_risk=_at_risk_count(rt.engine),
                workers=workers,
                serving_processes=processes,
                seed_s=seed_s,
                refresh_s=refresh_s,
                transcribed=transcribed,
                levels=levels,
                serving_nice=serving_nice,
                worker_nice=worker_nice,
            )
        finally:
            rt.close()
