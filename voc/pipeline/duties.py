"""What every worker process does beside calls: webhook deliveries, relaying flag changes as events,
the audio retention period, the scheduled topic refit and the daily rescoring of the customers' risk rows
(their recency decay moves with time alone). Each duty is safe to run in several
processes at once (claims, idempotent keys, versioned models)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.audio_store import AudioStore
from voc.db.types import utcnow
from voc.privacy.retention import apply_retention
from voc.signals.at_risk import rescore_stale
from voc.signals.params import SignalParams
from voc.webhooks.delivery import WebhookDispatcher
from voc.webhooks.events import relay_flag_events

if TYPE_CHECKING:
    from voc.topics.service import TopicParams

log = logging.getLogger(__name__)


@dataclass
class DutySchedule:
    poll_interval_s: float = 1.0
    retention_days: int | None = None
    retention_every_s: float = 3600.0
    refit_every_days: int | None = None
    topic_params: TopicParams | None = None  # None: the defaults
    signal_params: SignalParams | None = None  # None: the defaults


class BackgroundDuties:
    def __init__(self, engine: Engine, store: AudioStore, schedule: DutySchedule) -> None:
        self.engine = engine
        self.store = store
        self.schedule = schedule
        self.dispatcher = WebhookDispatcher(engine, poll_interval_s=schedule.poll_interval_s)
        self.flag_cursor = 0
        self._last_hourly = 0.0

    def poll(self) -> None:
        """One round; a failing duty is logged and tried again on the next round."""
        try:
            with Session(self.engine) as session:
                self.flag_cursor = relay_flag_events(session, self.flag_cursor)
                session.commit()
        except Exception:
            log.exception("relaying flag events failed")
        self.dispatcher.poll()
        if time.monotonic() - self._last_hourly >= self.schedule.retention_every_s:
            self._last_hourly = time.monotonic()
            self._hourly()

    def _hourly(self) -> None:
        schedule = self.schedule
        try:
            if schedule.retention_days:
                with Session(self.engine) as session:
                    removed = apply_retention(
                        session, self.store, utcnow() - timedelta(days=schedule.retention_days)
                    )
                    session.commit()
                if removed:
                    log.info("retention: audio of %d calls deleted", removed)
        except Exception:
            log.exception("scheduled retention failed")
        try:
            with Session(self.engine) as session:
                changed = rescore_stale(session, schedule.signal_params or SignalParams())
                session.commit()
            if changed:
                log.info("risk rows rescored: %d changed", changed)
        except Exception:
            log.exception("rescoring the risk rows failed")
        try:
            if schedule.refit_every_days:
                # Imported here: scikit-learn takes seconds to import, and a restarted worker process
                # should be taking calls by then.
                from voc.topics.service import TopicParams, active_version, refit

                with Session(self.engine) as session:
                    current = active_version(session)
                    due = utcnow() - timedelta(days=schedule.refit_every_days)
                    if current is not None and current.created_at <= due:
                        # Every worker process runs this duty: the first to swap wins, the rest keep its
                        # version (see ``refit``).
                        refit(session, schedule.topic_params or TopicParams(), replacing=current.id)
                    session.commit()
        except Exception:
            log.exception("scheduled topic refit failed")

    def run(self, stop: threading.Event) -> None:
        try:
            while not stop.is_set():
                self.poll()
                stop.wait(self.schedule.poll_interval_s)
        finally:
            self.dispatcher.close()
