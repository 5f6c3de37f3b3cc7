"""Request body size limit, enforced while the body streams in (not after it was spooled to disk)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response


def too_large_detail(max_bytes: int) -> str:
    return f"ファイルが大きすぎます (上限 {max_bytes / (1 << 20):.0f} MB)"


class BodySizeLimitMiddleware:
    """Rejects a declared Content-Length over the limit at once, and a chunked body as soon as it passes it.

    The error is raised from ``receive`` inside the route as an HTTPException, which the app's problem
    handlers turn into a 413 problem+json before anything is stored.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = problem_response(413, too_large_detail(self.max_bytes), instance=scope.get("path"))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, too_large_detail(self.max_bytes))
            return message

        await self.app(scope, limited_receive, send)
