"""The bench's HTTP client reads what a server may send: a Content-Length body, a chunked one, and a
connection the server closes (it reconnects), so that the bench counts answers, not parsing slips."""

from __future__ import annotations

import asyncio

from voc.bench.http_load import Connection

RESPONSES = {
    b"/length": b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
    b"/chunked": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
    b"/close": b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\nconnection: close\r\n\r\nno",
}


async def _exchange(paths: list[str]) -> tuple[list[int], int]:
    handled: list[asyncio.Event] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        done = asyncio.Event()
        handled.append(done)
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            path = head.split(b" ")[1]
            writer.write(RESPONSES[path])
            await writer.drain()
            if path == b"/close":
                break
        writer.close()
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = Connection("127.0.0.1", port, {"Authorization": "Bearer x"})
    try:
        statuses = [await connection.get(path) for path in paths]
    finally:
        connection.close()
        await asyncio.wait_for(asyncio.gather(*(done.wait() for done in handled)), 10)
        server.close()
        await server.wait_closed()
    return statuses, len(handled)


def test_reads_length_and_chunked_bodies_on_one_connection_and_reconnects_after_close() -> None:
    statuses, connections = asyncio.run(_exchange(["/length", "/chunked", "/length", "/close", "/chunked"]))
    assert statuses == [200, 200, 200, 404, 200]
    assert connections == 2  # kept alive until the server said close
