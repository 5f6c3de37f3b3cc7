"""Telling workers about queued calls. Without a broker, workers poll the database and nothing needs
sending (:class:`DatabaseQueue`); with one, each queued call is sent as a Celery task after its
transaction committed (``voc.pipeline.celery_app.CeleryDispatcher``). A broker that is down loses
nothing: the call is queued in the database and the reaper sends it later."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class CallDispatcher(Protocol):
    def notify(self, call_ids: Iterable[int]) -> None:
        """Tell the workers about the queued ones among ``call_ids`` (call after commit)."""


class DatabaseQueue:
    """No broker: the workers find queued calls by polling the database."""

    def notify(self, call_ids: Iterable[int]) -> None:
        return None
