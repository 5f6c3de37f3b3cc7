"""Replaying a failed or dead-lettered call: the one path for the CLI, the API and the web UI.

The call is queued again from the start and the workers are told at once (with a broker: its Celery task
is sent now, not minutes later by the reaper).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from voc.pipeline import jobs


def replay_call(session: Session, call_id: int, notify: Callable[[list[int]], None]) -> bool:
    """Queue ``call_id`` again if it failed or is dead (commits), then dispatch it; False otherwise."""
    if not jobs.requeue(session, call_id):
        return False
    notify([call_id])
    return True
