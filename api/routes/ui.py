"""The web UI: static HTML, CSS and JavaScript modules from api/static, served under /ui/ with no build step.

Every /ui/ path that is not an asset answers the single page (history routing: /ui/calls/123?t=12.5 opens
call 123 at 12.5 s). The UI holds no secret: it talks to /api/v1 with the key the user typed in.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse, Response

from api.problems import Problem

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
INDEX = STATIC_DIR / "index.html"

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# The page may load only what this server serves: no CDN, no inline script, no external font.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui")
def ui_bare() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/assets/{path:path}")
def asset(path: str) -> Response:
    """A file under api/static; nothing outside it, whatever the path says."""
    target = (STATIC_DIR / path).resolve()
    media = MEDIA_TYPES.get(target.suffix.lower())
    if not target.is_relative_to(STATIC_DIR) or not target.is_file() or media is None:
        raise Problem(404, f"ファイルがありません: {path}")
    return FileResponse(target, media_type=media, headers=SECURITY_HEADERS)


@router.get("/ui/{path:path}")
def page(path: str) -> Response:
    """The single page for every UI route; the JavaScript router reads the path."""
    return FileResponse(INDEX, media_type=MEDIA_TYPES[".html"], headers=SECURITY_HEADERS)
