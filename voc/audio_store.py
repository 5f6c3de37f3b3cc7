"""Content-addressed audio files: ``{root}/ab/cd/<sha256>``; the same file twice is stored once.

The store is a small interface so that a shared directory (NFS) or an S3-compatible store can serve
workers on several machines; the local directory is the embedded default.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from voc.errors import TooLargeError

log = logging.getLogger(__name__)

CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")


class UploadTooLargeError(TooLargeError):
    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"ファイルが大きすぎます (上限 {limit_bytes // (1 << 20)} MB)")
        self.limit_bytes = limit_bytes


@dataclass(frozen=True)
class StoredAudio:
    sha256: str
    size: int
    path: Path
    head: bytes  # the first bytes, for content sniffing


class AudioStore(Protocol):
    def put(self, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StoredAudio: ...
    def path_for(self, sha256: str) -> Path: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> bool: ...


class LocalAudioStore:
    """Files under one directory, which may be a mount shared by every worker machine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StoredAudio:
        """Stream ``chunks`` to the store, hashing as it goes; over ``max_bytes`` nothing is kept."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise UploadTooLargeError(max_bytes)
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                    digest.update(chunk)
                    out.write(chunk)
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(parents=True, exist_ok=True)
            if final.exists():
                tmp.unlink()
            else:
                tmp.replace(final)  # atomic: readers never see a half-written file
            return StoredAudio(sha256=sha, size=size, path=final, head=head)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def put_file(self, path: Path, *, max_bytes: int | None = None) -> StoredAudio:
        with path.open("rb") as handle:
            return self.put(_read_chunks(handle), max_bytes=max_bytes)

    def delete(self, sha256: str) -> bool:
        path = self.path_for(sha256)
        if not path.exists():
            return False
        path.unlink()
        return True


def _read_chunks(handle: BinaryIO) -> Iterable[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk
