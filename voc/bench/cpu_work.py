"""The benchmark workload used when there is no ASR model: a fixed amount of CPU work per call.

``voc bench scale`` without a model still measures the job machinery (claiming, leases, stage reports,
one transaction per call) and how worker processes share the cores. Each call costs a calibrated number
of SHA-256 rounds on one core, then its segments are stored as the real pipeline's last stage does.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from voc.db.calls import Call, Segment
from voc.pipeline.worker import PermanentError, Reporter

#: Segments stored per call, so that the storage part of a call is not left out.
SEGMENTS = 5


def sha256_rounds(rounds: int) -> None:
    """Burn ``rounds`` SHA-256 rounds of CPU (a workload that depends only on the cores available)."""
    digest = b"voc"
    for _ in range(rounds):
        digest = hashlib.sha256(digest).digest()


def calibrate_sha256_rounds(seconds: float) -> int:
    """SHA-256 rounds that take about ``seconds`` on one core of this machine."""
    rounds, start = 0, time.perf_counter()
    while time.perf_counter() - start < 0.3:
        sha256_rounds(10_000)
        rounds += 10_000
    return max(1, int(rounds * seconds / (time.perf_counter() - start)))


class CpuWorkProcessor:
    """A ``CallProcessor`` that spends ``rounds`` SHA-256 rounds per call in ``steps`` reported steps."""

    def __init__(self, engine: Engine, *, rounds: int, steps: int = 4) -> None:
        self.engine = engine
        self.rounds = rounds
        self.steps = max(1, steps)

    def __call__(self, call_id: int, report: Reporter) -> None:
        report("decoding", 0.0)
        for step in range(self.steps):
            sha256_rounds(self.rounds // self.steps)
            report("transcribing", (step + 1) / self.steps)
        report("analysing", 0.0)
        with Session(self.engine) as session:
            if not replace_segments(
                session, call_id, [f"ベンチマーク通話{call_id}の発話{i}" for i in range(SEGMENTS)]
            ):
                raise PermanentError(f"call {call_id} no longer exists")
            session.commit()


def replace_segments(session: Session, call_id: int, texts: Sequence[str]) -> bool:
    """Replace the call's segments with ``texts`` (alternating operator and customer, one second each) in
    the caller's transaction; ``False`` if the call is gone."""
    # Lock the call row first: a second writer for the same call (a worker that lost its lease but has not
    # noticed yet) waits, then its DELETE sees these rows, so rows are never doubled.
    if session.exec(select(Call.id).where(col(Call.id) == call_id).with_for_update()).first() is None:
        return False
    session.exec(delete(Segment).where(col(Segment.call_id) == call_id))
    session.add_all(
        Segment(
            call_id=call_id,
            idx=idx,
            speaker="customer" if idx % 2 else "operator",
            start=float(idx),
            end=idx + 0.9,
            text=text,
            tokens=[],
        )
        for idx, text in enumerate(texts)
    )
    return True
