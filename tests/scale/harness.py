"""Worker processes for the scale tests: start, kill at random, always clean up; and the invariants."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from voc.db.calls import Call, CallStatusEvent, Segment

REPO = Path(__file__).resolve().parents[2]
SETTLED = ("done", "dead", "failed")


def queue_calls(engine: Engine, names: Sequence[str]) -> list[int]:
    """One queued call per file name (``poison…`` / ``hang…`` names make the fake processor misbehave)."""
    with Session(engine) as session:
        calls = [
            Call(audio_sha256=f"{i:064x}", original_filename=name, audio_size=32_000)
            for i, name in enumerate(names)
        ]
        session.add_all(calls)
        session.commit()
        return [c.id for c in calls if c.id is not None]


def pids_in_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(entry.name))
    return pids


@dataclass
class WorkerFleet:
    """Worker processes, each the leader of its own process group (a Celery worker and its pool)."""

    command: list[str]
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    killed_at: dict[int, float] = field(default_factory=dict)
    kills: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, n: int = 1) -> None:
        for _ in range(n):
            with self.lock:
                log = (self.logs / f"worker-{len(self.procs)}.log").open("wb")
                proc = subprocess.Popen(
                    self.command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                )
                log.close()
                self.procs.append(proc)

    def alive(self) -> list[subprocess.Popen[bytes]]:
        return [p for p in self.procs if p.poll() is None]

    def kill_one(self, rng: random.Random) -> None:
        """SIGKILL a random worker: the whole machine (group), or only a pool process when it has one."""
        victims = self.alive()
        if not victims:
            return
        proc = rng.choice(victims)
        group = pids_in_group(proc.pid)
        children = [pid for pid in group if pid != proc.pid]
        now = time.time()
        if children and rng.random() < 0.5:
            pid = rng.choice(children)
            self.killed_at[pid] = now
            self.kills.append(f"pool process {pid} of {proc.pid}")
            os.kill(pid, signal.SIGKILL)
            return
        for pid in group:
            self.killed_at[pid] = now
        self.kills.append(f"worker {proc.pid} ({len(group)} processes)")
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        self.start()

    def close(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        for proc in self.procs:
            proc.wait(timeout=10)

    def log_tail(self, chars: int = 3000) -> str:
        parts = []
        for path in sorted(self.logs.glob("worker-*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)


class Killer(threading.Thread):
    """Kills a random worker every 1–2 s while work remains, up to ``max_kills`` times."""

    def __init__(self, fleet: WorkerFleet, engine: Engine, *, max_kills: int, seed: int = 7) -> None:
        super().__init__(daemon=True)
        self.fleet, self.engine, self.max_kills = fleet, engine, max_kills
        self.rng = random.Random(seed)
        self.stop = threading.Event()

    def run(self) -> None:
        for _ in range(self.max_kills):
            if self.stop.wait(self.rng.uniform(1.0, 2.0)) or unsettled(self.engine) == 0:
                return
            self.fleet.kill_one(self.rng)


def unsettled(engine: Engine) -> int:
    with Session(engine) as session:
        return int(
            session.exec(select(func.count()).select_from(Call).where(col(Call.status).not_in(SETTLED))).one()
        )


def wait_settled(engine: Engine, fleet: WorkerFleet, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while (left := unsettled(engine)) > 0:
        if time.monotonic() > deadline:
            with Session(engine) as session:
                stuck = session.exec(
                    select(Call.id, Call.status, Call.attempts, Call.lease_owner).where(
                        col(Call.status).not_in(SETTLED)
                    )
                ).all()
            raise AssertionError(
                f"{left} call(s) not settled after {timeout_s} s: {stuck[:10]}\n"
                f"kills: {fleet.kills}\n{fleet.log_tail()}"
            )
        time.sleep(0.25)


@dataclass(frozen=True)
class Outcome:
    status: dict[int, str]
    attempts: dict[int, int]
    errors: dict[int, str | None]
    segments: dict[int, list[int]]
    events: dict[int, Counter[str]]


def outcome(engine: Engine) -> Outcome:
    with Session(engine) as session:
        calls = session.exec(select(Call)).all()
        segs = session.exec(select(Segment.call_id, Segment.idx)).all()
        events = session.exec(select(CallStatusEvent.call_id, CallStatusEvent.status)).all()
    seg_map: dict[int, list[int]] = defaultdict(list)
    for call_id, idx in segs:
        seg_map[call_id].append(idx)
    ev_map: dict[int, Counter[str]] = defaultdict(Counter)
    for call_id, status in events:
        ev_map[call_id][status] += 1
    return Outcome(
        status={c.id: c.status for c in calls if c.id is not None},
        attempts={c.id: c.attempts for c in calls if c.id is not None},
        errors={c.id: c.error for c in calls if c.id is not None},
        segments=dict(seg_map),
        events=dict(ev_map),
    )


def assert_nothing_lost_or_doubled(
    engine: Engine, ids: Sequence[int], *, segments: int, max_attempts: int
) -> Outcome:
    """Every call done (exactly one "done" event, exactly ``segments`` segments) or dead with a reason."""
    out = outcome(engine)
    assert sorted(out.status) == sorted(ids), "calls appeared or vanished"
    for call_id in ids:
        status, events = out.status[call_id], out.events.get(call_id, Counter())
        idxs = sorted(out.segments.get(call_id, []))
        assert len(idxs) == len(set(idxs)), f"call {call_id}: duplicated segments {idxs}"
        if status == "done":
            assert idxs == list(range(segments)), f"call {call_id}: segments {idxs}"
            assert events["done"] == 1, f"call {call_id}: {events['done']} done events"
            assert events["dead"] == 0
        else:
            assert status == "dead", f"call {call_id} ended {status}: {out.errors[call_id]}"
            assert out.errors[call_id], f"call {call_id} dead without a reason"
            assert out.attempts[call_id] >= max_attempts, f"call {call_id} dead after {out.attempts[call_id]}"
            assert events["dead"] == 1 and events["done"] == 0, f"call {call_id}: {events}"
            assert idxs in ([], list(range(segments)))
    return out


@dataclass(frozen=True)
class Run:
    call_id: int
    pid: int
    start: float
    end: float


def read_runs(path: Path, killed_at: dict[int, float]) -> list[Run]:
    """The fake processor's start/end lines as intervals; a run cut by SIGKILL ends when it was killed."""
    starts: dict[str, tuple[int, int, float]] = {}
    ends: dict[str, float] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            if rec["event"] == "start":
                starts[rec["run"]] = (rec["call"], rec["pid"], rec["t"])
            else:
                ends[rec["run"]] = rec["t"]
    runs = []
    for run, (call_id, pid, start) in starts.items():
        end = ends.get(run, killed_at.get(pid, float("inf")))
        runs.append(Run(call_id, pid, start, end))
    return runs


def assert_no_overlap(runs: Sequence[Run]) -> None:
    by_call: dict[int, list[Run]] = defaultdict(list)
    for run in runs:
        by_call[run.call_id].append(run)
    for call_id, call_runs in by_call.items():
        call_runs.sort(key=lambda r: r.start)
        for before, after in itertools.pairwise(call_runs):
            assert after.start >= before.end, f"call {call_id} processed twice at once: {before} / {after}"
