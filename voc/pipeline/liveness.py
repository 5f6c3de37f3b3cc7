"""Is anyone doing the work? Live workers and the state of the queue, read from the database so that any
process can tell (``/readyz``, the web UI, ``voc calls list``), whichever machine the workers run on;
and what a supervisor writes there for them."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, func, or_, select

from voc.db.calls import Call, CallStatus
from voc.db.types import utcnow
from voc.db.workers import WorkerHeartbeat, WorkerSupervisor
from voc.pipeline.worker import HEARTBEAT_STALE_S


@dataclass(frozen=True)
class QueueHealth:
    alive_workers: int
    wanted_workers: int  # what the live supervisors want (0: no supervisor, e.g. Celery or remote workers)
    restarts: int
    last_exit: str | None
    last_exit_age_s: float | None
    queued: int  # claimable now
    oldest_queued_s: float | None
    last_progress_s: float | None  # since a worker last reported on any call
    stall_after_s: float

    @property
    def stalled(self) -> bool:
        """Calls have waited longer than ``stall_after_s`` and no call moved for as long."""
        if not self.queued or self.oldest_queued_s is None or self.oldest_queued_s < self.stall_after_s:
            return False
        return self.last_progress_s is None or self.last_progress_s >= self.stall_after_s

    def workers_check(self) -> str:
        if self.alive_workers:
            return "ok"
        problem = "no worker alive: queued calls wait until one runs (voc serve or voc worker)"
        if self.last_exit:
            problem += f"; last death {self.last_exit_age_s or 0:.0f} s ago: {self.last_exit}"
        return problem

    def queue_check(self) -> str:
        if not self.stalled:
            return "ok"
        progress = (
            f"no progress for {self.last_progress_s:.0f} s"
            if self.last_progress_s is not None
            else "none done"
        )
        return (
            f"stalled: {self.queued} call(s) queued, the oldest for {self.oldest_queued_s:.0f} s, {progress}"
        )

    def summary(self) -> str:
        """One line for people: ``workers 2/2 alive (3 restarts) · 5 queued, oldest 12 s``."""
        wanted = f"/{self.wanted_workers}" if self.wanted_workers else ""
        restarts = f" ({self.restarts} restarts)" if self.restarts else ""
        oldest = f", oldest {self.oldest_queued_s:.0f} s" if self.oldest_queued_s is not None else ""
        line = f"workers {self.alive_workers}{wanted} alive{restarts} · {self.queued} queued{oldest}"
        problems = [c for c in (self.workers_check(), self.queue_check()) if c != "ok"]
        return " · ".join([line, *problems])

    def as_dict(self) -> dict[str, object]:
        return {
            "alive": self.alive_workers,
            "wanted": self.wanted_workers,
            "restarts": self.restarts,
            "last_exit": self.last_exit,
            "queued": self.queued,
            "oldest_queued_s": _round(self.oldest_queued_s),
            "last_progress_s": _round(self.last_progress_s),
            "stalled": self.stalled,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else max(0.0, (now - then).total_seconds())


def queue_health(
    engine: Engine, *, stall_after_s: float = 600.0, stale_after_s: float = HEARTBEAT_STALE_S
) -> QueueHealth:
    now = utcnow()
    fresh = now - timedelta(seconds=stale_after_s)
    with Session(engine) as session:
        alive = session.exec(
            select(func.count())
            .select_from(WorkerHeartbeat)
            .where(col(WorkerHeartbeat.heartbeat_at) >= fresh)
        ).one()
        supervisors = session.exec(
            select(WorkerSupervisor).where(col(WorkerSupervisor.heartbeat_at) >= fresh)
        ).all()
        claimable = (
            col(Call.status) == CallStatus.QUEUED,
            or_(col(Call.not_before).is_(None), col(Call.not_before) <= now),
        )
        queued, oldest = session.exec(
            select(func.count(), func.min(Call.updated_at)).select_from(Call).where(*claimable)
        ).one()
        last_progress = session.exec(
            select(func.max(Call.updated_at)).where(col(Call.status) != CallStatus.QUEUED)
        ).one()
    latest = max(
        (s for s in supervisors if s.last_exit_at is not None),
        key=lambda s: s.last_exit_at or now,
        default=None,
    )
    return QueueHealth(
        alive_workers=int(alive),
        wanted_workers=sum(s.desired for s in supervisors),
        restarts=sum(s.restarts for s in supervisors),
        last_exit=latest.last_exit if latest else None,
        last_exit_age_s=_age(now, latest.last_exit_at) if latest else None,
        queued=int(queued),
        oldest_queued_s=_age(now, _aware(oldest)),
        last_progress_s=_age(now, _aware(last_progress)),
        stall_after_s=stall_after_s,
    )


def _aware(value: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite (a naive UTC datetime, or its text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def record_supervisor(
    engine: Engine,
    supervisor_id: str,
    *,
    ready: list[str],
    desired: int,
    restarts: int,
    last_exit: tuple[str, datetime] | None,
) -> None:
    """A supervisor's beat: its ``ready`` worker processes are alive (whatever stage they are in) and
    its own row says how many it wants, how many live, and why the last one died."""
    with Session(engine) as session:
        now = utcnow()
        if ready:
            session.execute(
                update(WorkerHeartbeat)
                .where(col(WorkerHeartbeat.worker_id).in_(ready))
                .values(heartbeat_at=now)
            )
        row = session.get(WorkerSupervisor, supervisor_id) or WorkerSupervisor(
            supervisor_id=supervisor_id,
            hostname=socket.gethostname(),
            pid=os.getpid(),
            desired=desired,
            alive=0,
        )
        row.alive, row.restarts, row.heartbeat_at = len(ready), restarts, now
        if last_exit is not None:
            row.last_exit, row.last_exit_at = last_exit[0][:255], last_exit[1]
        session.add(row)
        session.commit()


def forget_supervisor(engine: Engine, supervisor_id: str) -> None:
    with Session(engine) as session:
        session.exec(delete(WorkerSupervisor).where(col(WorkerSupervisor.supervisor_id) == supervisor_id))
        session.commit()
