"""The first pages of the lists a CRM polls, kept in each serving process by the data version, with ETags.

A list's first page is read far more often than the data changes. Each request reads the data version
(``voc.db.changes``: a token that database triggers move with every committed write to the tables the
lists read) before anything else; a page kept under the same token is the answer, else the page is read
and kept. The token is read before the page, so a write committed in between can only make a kept page
newer than its token, never older: a page is never staler than a write committed before its request.

Every page the lists write carries an ``ETag`` (a hash of the body) and ``Cache-Control: private,
no-cache`` (revalidate each time); a client that sends the tag back in ``If-None-Match`` gets ``304 Not
Modified`` and no body. Pages are kept by path, query string and the caller's role (the lists show
every role the same today; a list that redacts by role stays correct).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from fastapi import Request, Response
from sqlmodel import Session

from voc.db.changes import compact, data_version
from voc.runtime import Runtime

CACHE_CONTROL = "private, no-cache"

Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Page:
    """A list page's JSON and its entity tag."""

    body: bytes
    etag: str

    @classmethod
    def of(cls, body: bytes) -> Page:
        return cls(body, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"')

    def response(self, request: Request) -> Response:
        headers = {"ETag": self.etag, "Cache-Control": CACHE_CONTROL}
        if _matches(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        return Response(self.body, media_type="application/json", headers=headers)


def _matches(header: str | None, etag: str) -> bool:
    """``If-None-Match`` by the weak comparison (RFC 9110 13.1.2): ``*`` or one of the listed tags."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


@dataclass
class Lookup:
    """One request's look-up: the page kept under the current token (``hit``), else ``store`` the new one."""

    cache: PageCache
    key: Key | None
    token: str | None
    hit: Page | None = field(default=None)

    def store(self, response: Response) -> Page:
        page = Page.of(bytes(response.body))
        if self.key is not None and self.token is not None:
            self.cache.put(self.key, self.token, page)
        return page


class PageCache:
    """This process's pages: the ``size`` most recently used keys, each with the token it was read at."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._pages: OrderedDict[Key, tuple[str, Page]] = OrderedDict()

    def lookup(self, request: Request, rt: Runtime, session: Session, *, cacheable: bool = True) -> Lookup:
        """Read the data version (first, in the read's session) and find the page of this request.
        ``cacheable`` false (a later page, a CSV): not looked up or kept; the page still gets its ETag."""
        if not cacheable:
            return Lookup(self, None, None)
        version = data_version(session.connection())
        if version is None:
            return Lookup(self, None, None)
        if version.needs_compacting:
            compact(rt.engine)
        principal = getattr(request.state, "principal", None)
        role = str(principal.role) if principal is not None else ""
        key = (request.url.path, request.url.query, role)
        with self._lock:
            kept = self._pages.get(key)
            if kept is not None:
                self._pages.move_to_end(key)
        if kept is not None and kept[0] == version.token:
            return Lookup(self, key, version.token, kept[1])
        return Lookup(self, key, version.token)

    def put(self, key: Key, token: str, page: Page) -> None:
        with self._lock:
            self._pages[key] = (token, page)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


#: This process's list pages (the calls list, the customer list, the at-risk list).
PAGES = PageCache()
