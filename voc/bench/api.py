"""``voc bench api``: read latency of the HTTP API under 50 concurrent clients while workers are busy.

The app runs in uvicorn on 127.0.0.1 (a random port) in a child process, over a database seeded
with calls, transcripts and customers. CPU-busy processes stand in for pipeline workers transcribing
calls, so the numbers show what a CRM sees while the machine is working.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import multiprocessing
import os
import random
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import Session

from voc.assembly import build_runtime, load_settings
from voc.customers.records import upsert_customer
from voc.db.calls import Call, CallStatus, Segment
from voc.db.customers import CustomerCreate
from voc.db.types import utcnow
from voc.runtime import Runtime
from voc.security.keys import create_key
from voc.settings import Settings

log = logging.getLogger(__name__)

PHRASES = (
    "料金が高いので解約を考えています",
    "使い方がよく分からなくて困っています",
    "他社のほうが安いと聞きました",
    "ご利用ありがとうございます。担当の佐藤です",
    "請求書の金額について確認したいです",
)


@dataclass
class EndpointStats:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def quantile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class ApiBenchResult:
    calls: int
    concurrency: int
    busy_workers: int
    backend: str
    wall_s: float
    endpoints: list[EndpointStats]

    @property
    def requests(self) -> int:
        return sum(len(e.latencies_ms) + e.errors for e in self.endpoints)

    def markdown(self) -> str:
        lines = [
            f"API reads: {self.calls} calls seeded ({self.backend}), {self.concurrency} concurrent clients, "
            f"{self.busy_workers} busy worker process(es), {self.requests} requests in {self.wall_s:.1f} s "
            f"({self.requests / self.wall_s:.0f} req/s)",
            "",
            "| endpoint | requests | errors | p50 ms | p99 ms |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for e in self.endpoints:
            p50, p99 = e.quantile(0.5), e.quantile(0.99)
            lines.append(f"| {e.name} | {len(e.latencies_ms)} | {e.errors} | {p50:.1f} | {p99:.1f} |")
        return "\n".join(lines) + "\n"

    def as_dict(self) -> dict[str, object]:
        return {
            "calls": self.calls,
            "concurrency": self.concurrency,
            "busy_workers": self.busy_workers,
            "backend": self.backend,
            "wall_s": round(self.wall_s, 2),
            "endpoints": {
                e.name: {
                    "requests": len(e.latencies_ms),
                    "errors": e.errors,
                    "p50_ms": round(e.quantile(0.5), 2),
                    "p99_ms": round(e.quantile(0.99), 2),
                    "mean_ms": round(statistics.fmean(e.latencies_ms), 2) if e.latencies_ms else None,
                }
                for e in self.endpoints
            },
        }


def _spin(stop: EventType) -> None:
    """A stand-in for a worker transcribing a call: one core at 100 %."""
    digest = b"voc"
    while not stop.is_set():
        for _ in range(20_000):
            digest = hashlib.sha256(digest).digest()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(settings: Settings, port: int) -> None:
    # The web layer is started by import string, as `voc serve` does: the library never imports it.
    os.environ["VOC_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        os.environ["VOC_DATABASE_URL"] = settings.database_url
    uvicorn.run(
        "api.app:create_app", factory=True, host="127.0.0.1", port=port, log_level="warning", access_log=False
    )


def _wait_until_up(url: str, server: multiprocessing.process.BaseProcess, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.is_alive():
            raise RuntimeError("the API server exited during start-up")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the API server did not start")


def seed(rt: Runtime, n_calls: int, segments_per_call: int, *, seed_value: int = 7) -> list[str]:
    """Calls with transcripts, a customer for every five calls; returns the customer ids."""
    rng = random.Random(seed_value)
    customers = []
    with Session(rt.engine, expire_on_commit=False) as session:
        for i in range(max(1, n_calls // 5)):
            customer, _ = upsert_customer(
                session,
                CustomerCreate(
                    customer_id=f"B{i:05d}", name=f"顧客{i}", plan="スタンダード", monthly_fee=4980
                ),
            )
            customers.append(customer)
        session.flush()
        now = utcnow()
        for i in range(n_calls):
            call = Call(
                audio_sha256=hashlib.sha256(f"bench-{seed_value}-{i}".encode()).hexdigest(),
                external_id=f"bench-{i}",
                agent=f"agent{i % 7}",
                started_at=now - timedelta(minutes=i),
                customer_pk=customers[i % len(customers)].id,
                status=CallStatus.DONE,
                duration_s=segments_per_call * 6.0,
                metrics={"talk_ratio": 0.5},
            )
            session.add(call)
            session.flush()
            assert call.id is not None
            for j in range(segments_per_call):
                session.add(
                    Segment(
                        call_id=call.id,
                        idx=j,
                        speaker="customer" if j % 2 else "operator",
                        start=j * 6.0,
                        end=j * 6.0 + 5.5,
                        text=rng.choice(PHRASES),
                    )
                )
        session.commit()
    return [c.customer_id for c in customers]


async def _load(
    base_url: str,
    key: str,
    targets: list[tuple[str, list[str]]],
    *,
    concurrency: int,
    total: int,
    duration_s: float,
) -> list[EndpointStats]:
    stats = {name: EndpointStats(name) for name, _ in targets}
    counter = iter(range(total))
    deadline = time.monotonic() + duration_s
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as client:

        async def one_client(n: int) -> None:
            rng = random.Random(n)
            for i in counter:
                if time.monotonic() > deadline:
                    return
                name, paths = targets[i % len(targets)]
                started = time.perf_counter()
                try:
                    response = await client.get(rng.choice(paths))
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                if ok:
                    stats[name].latencies_ms.append(elapsed)
                else:
                    stats[name].errors += 1

        await asyncio.gather(*(one_client(n) for n in range(concurrency)))
    return list(stats.values())


def run_api_bench(
    *,
    n_calls: int = 500,
    segments_per_call: int = 30,
    concurrency: int = 50,
    requests: int = 3000,
    duration_s: float = 60.0,
    busy_workers: int = 1,
    database_url: str | None = None,
    data_dir: Path | None = None,
) -> ApiBenchResult:
    """Seed, serve, load and measure; bounded by ``requests`` and ``duration_s``, whichever comes first.

    ``database_url`` (e.g. PostgreSQL) must point to an empty database; by default a fresh SQLite file.
    """
    with tempfile.TemporaryDirectory(prefix="voc-bench-api-") as tmp:
        root = data_dir or Path(tmp)
        settings = load_settings(_env_file=None, data_dir=root / "var", database_url=database_url)
        rt = build_runtime(settings, migrate=True)
        try:
            customers = seed(rt, n_calls, segments_per_call)
            with Session(rt.engine) as session:
                _, key = create_key(session, "analyst", "bench")
                session.commit()
            context = multiprocessing.get_context("spawn")
            port = _free_port()
            # Its own process, as with `voc serve`: the load generator must not share the GIL.
            server = context.Process(target=_serve, args=(settings, port), daemon=True)
            server.start()
            stop = context.Event()
            busy = [context.Process(target=_spin, args=(stop,), daemon=True) for _ in range(busy_workers)]
            try:
                _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
                for proc in busy:
                    proc.start()
                ids = [str(i) for i in range(1, n_calls + 1)]
                targets = [
                    ("GET /api/v1/calls?limit=50", ["/api/v1/calls?limit=50"]),
                    ("GET /api/v1/calls/{id}", [f"/api/v1/calls/{i}" for i in ids]),
                    ("GET /api/v1/customers/{id}", [f"/api/v1/customers/{c}" for c in customers]),
                ]
                started = time.perf_counter()
                endpoints = asyncio.run(
                    _load(
                        f"http://127.0.0.1:{port}",
                        key,
                        targets,
                        concurrency=concurrency,
                        total=requests,
                        duration_s=duration_s,
                    )
                )
                wall = time.perf_counter() - started
            finally:
                stop.set()
                for proc in busy:
                    proc.join(10)
                    if proc.is_alive():
                        proc.terminate()
                server.terminate()
                server.join(30)
            return ApiBenchResult(
                calls=n_calls,
                concurrency=concurrency,
                busy_workers=busy_workers,
                backend=rt.engine.dialect.name,
                wall_s=wall,
                endpoints=endpoints,
            )
        finally:
            rt.close()
