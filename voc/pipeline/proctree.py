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


def _stat_fields(path: Path) -> list[str]:
    """The fields of a ``stat`` file after the command name (which may hold spaces): ``state`` first."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time that ``pids`` have used so far, all their threads (0 for one gone)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = _stat_fields(PROC / str(pid) / "stat")
        if len(fields) > 12:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def thread_nices(pid: int) -> list[int]:
    """The nice value of each thread of ``pid`` (Linux sets it per thread: what os.nice did is seen here)."""
    found = []
    try:
        tasks = list((PROC / str(pid) / "task").iterdir())
    except OSError:
        return []
    for task in tasks:
        fields = _stat_fields(task / "stat")
        if len(fields) > 16:
            found.append(int(fields[16]))
    return found


def processes_named(name: str) -> list[int]:
    """The processes whose command name is ``name`` (a local database server's, for one)."""
    found: list[int] = []
    try:
        entries = list(PROC.iterdir())
    except OSError:
        return found
    for entry in entries:
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:  # gone meanwhile
                continue
    return found


def machine_busy_seconds() -> float | None:
    """CPU time all cores have spent busy since boot (``/proc/stat``; ``None`` where there is none)."""
    try:
        first = (PROC / "stat").read_text().splitlines()[0].split()
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq = (int(x) for x in first[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def lower_priority(by: int) -> None:
    """``os.nice(by)`` for every thread of this process, also those already running.

    Linux keeps a nice value per thread and ``os.nice`` sets the caller's only: threads that imports had
    started before (two per worker process, measured by ``voc bench api``) kept the API's priority.
    Threads started afterwards inherit it from the thread that starts them."""
    target = min(19, os.getpriority(os.PRIO_PROCESS, 0) + by)
    try:
        tids = [int(task.name) for task in (PROC / "self" / "task").iterdir()]
    except OSError:  # no /proc: elsewhere the value is the whole process's
        os.nice(by)
        return
    for tid in tids:
        with contextlib.suppress(ProcessLookupError):  # a thread that has just ended
            os.setpriority(os.PRIO_PROCESS, tid, target)


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
