"""Worker processes run below the API's CPU priority with every thread, also the ones that imports had
already started when the worker lowered its priority (Linux keeps a nice value per thread)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from multiprocessing.connection import Connection

import pytest

from voc.pipeline.proctree import lower_priority, thread_nices


def _lower_with_a_thread_running(reply: Connection) -> None:
    started, stop = threading.Event(), threading.Event()

    def early() -> None:  # like a pool that an import started before the worker set its priority
        started.set()
        stop.wait()

    thread = threading.Thread(target=early, daemon=True)
    thread.start()
    started.wait()
    before = os.getpriority(os.PRIO_PROCESS, 0)
    lower_priority(4)
    late = threading.Thread(target=stop.wait, daemon=True)  # one started afterwards
    late.start()
    reply.send((before, thread_nices(os.getpid())))
    stop.set()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_every_thread_of_the_worker_is_lowered() -> None:
    ours, theirs = multiprocessing.Pipe()
    proc = multiprocessing.get_context("spawn").Process(target=_lower_with_a_thread_running, args=(theirs,))
    proc.start()
    before, nices = ours.recv()
    proc.join(30)
    assert len(nices) >= 3  # the main thread, the early one, the late one
    assert set(nices) == {min(19, before + 4)}
