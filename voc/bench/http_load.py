"""The load generator of ``voc bench api``: closed-loop clients on keep-alive HTTP/1.1 connections.

It runs in a process of its own (``run_load``), on the same cores as the service, so what it costs is
taken from the service: it is kept lean (one request written per GET, the response read by its
Content-Length on asyncio streams; httpx spent about as much CPU per request as the server) and it
reports its own CPU time, so that the bench can show what the clients cost next to what the service did.

A light module on purpose: the spawned generator imports only this.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


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
class LoadRun:
    endpoints: list[EndpointStats]
    wall_s: float
    cpu_s: float  # the generator's own CPU time (all its threads) during the run


class HttpError(Exception):
    """The server closed the connection or answered something that is not HTTP/1.1."""


class Connection:
    """One keep-alive HTTP/1.1 connection sending GETs with fixed headers."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        every = {"Host": f"{host}:{port}", **headers}
        self.head = "".join(f"{name}: {value}\r\n" for name, value in every.items())
        self.requests: dict[str, bytes] = {}
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> int:
        """The status of ``GET path`` (its body is read and dropped); reconnects when the server closed."""
        request = self.requests.get(path)
        if request is None:
            request = self.requests[path] = f"GET {path} HTTP/1.1\r\n{self.head}\r\n".encode("latin-1")
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status, length, chunked, close = _parse_head(head)
            if chunked:
                await _read_chunked(reader)
            elif length:
                await reader.readexactly(length)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            self.close()
            raise HttpError(str(exc)) from exc
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


def _parse_head(head: bytes) -> tuple[int, int, bool, bool]:
    lines = head.split(b"\r\n")
    if not lines[0].startswith(b"HTTP/1.1 "):
        raise ValueError(f"not an HTTP/1.1 response: {lines[0][:40]!r}")
    status = int(lines[0][9:12])
    length, chunked, close = 0, False, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    return status, length, chunked, close


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)  # the chunk and its CRLF
        if size == 0:
            return


@dataclass(frozen=True)
class LoadPlan:
    """``concurrency`` closed-loop clients, each sending its next GET (round robin over ``targets``, a
    random path of each) as soon as the last is answered, until ``total`` requests or ``duration_s``."""

    host: str
    port: int
    headers: dict[str, str]
    targets: Sequence[tuple[str, Sequence[str]]]
    concurrency: int
    total: int
    duration_s: float


async def _load(plan: LoadPlan) -> list[EndpointStats]:
    stats = {name: EndpointStats(name) for name, _ in plan.targets}
    counter = iter(range(plan.total))
    deadline = time.monotonic() + plan.duration_s

    async def one_client(n: int) -> None:
        rng = random.Random(n)
        connection = Connection(plan.host, plan.port, plan.headers)
        try:
            for i in counter:
                if time.monotonic() > deadline:
                    return
                name, paths = plan.targets[i % len(plan.targets)]
                started = time.perf_counter()
                try:
                    ok = await connection.get(rng.choice(paths)) == 200
                except HttpError:
                    ok = False
                elapsed = (time.perf_counter() - started) * 1000
                if ok:
                    stats[name].latencies_ms.append(elapsed)
                else:
                    stats[name].errors += 1
        finally:
            connection.close()

    await asyncio.gather(*(one_client(n) for n in range(plan.concurrency)))
    return list(stats.values())


def run_load(plan: LoadPlan) -> LoadRun:
    """Run ``plan`` here (the bench calls it in a process of its own) and time it, CPU included."""
    cpu, wall = time.process_time(), time.perf_counter()
    endpoints = asyncio.run(_load(plan))
    return LoadRun(endpoints, time.perf_counter() - wall, time.process_time() - cpu)
