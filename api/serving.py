"""What ``voc serve`` starts by import string (``api.serving:serving_app``): the app in each serving process.

``voc serve`` runs several processes (one per core by default), so that one busy Python process does not
queue every request. ``voc.process_manager`` spawns them (uvicorn's manager where there is no SO_REUSEPORT);
each one builds its own app (and runtime) from the settings in its environment, and must not outlive its
parent, even one killed with SIGKILL.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading

from fastapi import FastAPI

from api.app import create_app

log = logging.getLogger(__name__)


def serving_app() -> FastAPI:
    """The app for one serving process (uvicorn's ``factory=True``)."""
    _stop_when_parent_exits()
    return create_app()


def _stop_when_parent_exits() -> None:
    # The process manager stops its children on SIGTERM, but a SIGKILLed parent tells them nothing:
    # each one watches it and then shuts down gracefully itself (uvicorn handles its SIGTERM).
    parent = multiprocessing.parent_process()
    if parent is None:  # one process: the app runs inside `voc serve` itself
        return

    def watch() -> None:
        parent.join()
        log.info("voc serve (process %s) exited; this serving process stops", parent.pid)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="voc-serve-parent-watch", daemon=True).start()
