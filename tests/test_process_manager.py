"""``voc.process_manager``: the port check before the serving processes start, and what each process
holds of a port (``/proc``: its listening sockets, its connections) that the bench and the ``voc serve``
tests read."""

from __future__ import annotations

import os
import socket
from contextlib import ExitStack
from pathlib import Path

import pytest

from voc.process_manager import (
    PortSockets,
    ServingError,
    ensure_port_free,
    listening_socket,
    sockets_per_process,
    spreads_connections,
)


@pytest.mark.parametrize("reuse_port", [False, True])
def test_a_port_someone_listens_on_is_refused(reuse_port: bool) -> None:
    """Also a SO_REUSEPORT group of this same user (another ``voc serve``), which a bind with
    SO_REUSEPORT would silently join."""
    if reuse_port and not spreads_connections():
        pytest.skip("SO_REUSEPORT: Linux")
    with ExitStack() as stack:
        if reuse_port:
            holder = stack.enter_context(listening_socket("127.0.0.1", 0))
        else:
            holder = stack.enter_context(socket.socket())
            holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(ServingError, match=f"cannot listen on 127.0.0.1:{port}: Address already in use"):
            ensure_port_free("127.0.0.1", port)
    ensure_port_free("127.0.0.1", port)  # closed: free again


@pytest.mark.skipif(not Path("/proc/net/tcp").is_file(), reason="reads /proc")
def test_sockets_per_process_counts_the_accepted_connections() -> None:
    with ExitStack() as stack:
        server = stack.enter_context(socket.create_server(("127.0.0.1", 0)))
        port = server.getsockname()[1]
        for _ in range(3):
            stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            stack.enter_context(server.accept()[0])
        # The clients' ends (another local port) do not count; a process not listening is left out.
        listening = frozenset({str(os.fstat(server.fileno()).st_ino)})
        assert sockets_per_process([os.getpid(), 1], port) == {os.getpid(): PortSockets(listening, 3)}
