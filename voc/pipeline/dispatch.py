"""Telling workers about queued calls. With a broker, each queued call is sent as a Celery task after
its transaction committed; without one, workers poll the database and nothing needs sending. A broker
that is down loses nothing: the call is queued in the database and the reaper sends it later."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from voc.db.calls import Call
from voc.settings import Settings

if TYPE_CHECKING:
    from celery import Celery

log = logging.getLogger(__name__)


class CallDispatcher:
    def __init__(self, engine: Engine, app: Celery | None = None) -> None:
        self.engine = engine
        self.app = app

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine) -> CallDispatcher:
        if not settings.broker_url:
            return cls(engine)
        from voc.pipeline.celery_app import celery_options, make_celery_app

        return cls(engine, make_celery_app(settings.broker_url, celery_options(settings)))

    def notify(self, call_ids: Iterable[int]) -> None:
        """Send the queued ones among ``call_ids`` (call after commit)."""
        if self.app is None:
            return
        from voc.pipeline.tasks import enqueue_call

        ids = list(call_ids)
        with Session(self.engine) as session:
            rows = session.exec(
                select(Call.id, Call.duration_s, Call.audio_size).where(
                    col(Call.id).in_(ids), Call.status == "queued"
                )
            ).all()
        for call_id, duration, size in rows:
            try:
                enqueue_call(self.app, int(call_id or 0), duration_s=duration, audio_size=size)
            except Exception:  # the broker is down: the reaper sends it when it is back
                log.exception("call %s: could not send it to the broker; the reaper will", call_id)
