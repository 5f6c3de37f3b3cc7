"""A worker process and its children as the supervisor sees them: why it ended, how much memory the whole
tree holds (a worker decodes in a child process), and killing all of it at once. Linux ``/proc``."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from pathlib import Path

log = logging.getLogger(__name__)

PROC = Path("/proc")


def describe_exit(exitcode: int | None) -> str:
    """``killed by SIGKILL`` / ``exited with code 3`` / ``exited normally``."""
    if exitcode is None:
        return "did not exit"
    if exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        # The kernel's OOM killer sends SIGKILL: the likeliest cause when nobody else did.
        hint = " (the out-of-memory killer, or someone else; see the kernel log)" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    if exitcode == 0:
        return "exited normally"
    return f"exited with code {exitcode}"


def memory_watch_available() -> bool:
    return (PROC / "self" / "statm").is_file()


def descendants(pid: int) -> list[int]:
    """Children, grandchildren… of ``pid`` (empty once it is gone)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list((PROC / str(parent) / "task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                kids = [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` (0 when it is gone)."""
    try:
        resident = int((PROC / str(pid) / "statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident * os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(pid: int) -> int:
    return rss_bytes(pid) + sum(rss_bytes(child) for child in descendants(pid))


def kill_tree(pid: int) -> None:
    """SIGKILL ``pid`` and everything it started (children first, so none is left to reparent)."""
    for child in reversed(descendants(pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def total_memory_bytes() -> int | None:
    """Physical memory of this machine (``None`` where it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError):
        return None
