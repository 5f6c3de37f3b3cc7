"""The one root of the errors a user can cause or fix, with a subclass per kind of failure.

Library code raises these (or a named subclass of them); each entry point maps the kind, never the message:
the API answers problem+json with the kind's ``type`` URI and HTTP status (``api/problems.py``), the CLI
prints the message on one line and exits 1 (not found) or 2 (``voc.cli.main``). The messages are written
for people (Japanese, English in brackets).

``InvalidInputError`` is also a ``ValueError`` and ``NotFoundError`` a ``LookupError``, so code that
validated with the built-in exceptions keeps catching them.
"""

from __future__ import annotations

from typing import ClassVar

#: ``type`` of a problem+json answer: this prefix and the kind's ``code``.
PROBLEM_TYPE_PREFIX = "urn:voc:problem:"


class VocError(Exception):
    """Something the caller can understand and act on; ``code`` names the kind (stable, for clients)."""

    code: ClassVar[str] = "error"

    @classmethod
    def type_uri(cls) -> str:
        return PROBLEM_TYPE_PREFIX + cls.code


class NotFoundError(VocError, LookupError):
    """The named thing (call, customer, signal, topic…) does not exist."""

    code = "not-found"


class ConflictError(VocError):
    """The request contradicts the current state (an id already used, a call not in a retryable state)."""

    code = "conflict"


class InvalidInputError(VocError, ValueError):
    """The input is malformed or out of range (a bad CSV, phone number, channel layout…)."""

    code = "invalid-input"


class UnsupportedMediaError(InvalidInputError):
    """The content is not of a kind voc reads (a PDF uploaded as a recording): told by its bytes."""

    code = "unsupported-media"


class TooLargeError(VocError):
    """The input is larger than the configured limit."""

    code = "too-large"


class UnavailableError(VocError):
    """A model, dictionary or other asset the request needs is not installed or cannot load."""

    code = "unavailable"


class GoneError(VocError):
    """The thing existed but was removed (audio past its retention period)."""

    code = "gone"
