"""Defence in depth: redact PII from log messages as well.

Python applies a *logger's* filters only to records logged on that very logger, not to records
propagating up from child loggers (``voc.asr.…``); a *handler's* filters see everything it emits.
:func:`install_redacting_filter` therefore adds the filter to the ``voc`` logger and to its
handlers; entry points that attach handlers elsewhere (the root logger) should add it there too.
"""

from __future__ import annotations

import logging
import threading

from voc.redaction.redactor import Redactor

# The redactor may log while it works (its tagger is created on first use and says so at DEBUG); such a
# record would come back through this filter, which would redact it, which would log again…
_inside = threading.local()


class RedactingFilter(logging.Filter):
    """Replaces a record's message (after ``%`` formatting) by its redacted form; never drops it."""

    def __init__(self, redactor: Redactor | None = None, name: str = "") -> None:
        super().__init__(name)
        self.redactor = redactor if redactor is not None else Redactor(enabled=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_inside, "active", False):
            return True  # the redactor's own record: library text, never a transcript
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let the handler report it as usual
            return True
        _inside.active = True
        try:
            redacted = self.redactor.redact(message)
        finally:
            _inside.active = False
        if redacted.redactions:
            record.msg = redacted.text
            record.args = None
        return True


def install_redacting_filter(
    logger: logging.Logger | None = None, redacting_filter: RedactingFilter | None = None
) -> RedactingFilter:
    """Add a :class:`RedactingFilter` to ``logger`` (default: ``voc``) and its handlers, once."""
    target = logger if logger is not None else logging.getLogger("voc")
    flt = redacting_filter if redacting_filter is not None else RedactingFilter()
    for filterer in (target, *target.handlers):
        if not any(isinstance(f, RedactingFilter) for f in filterer.filters):
            filterer.addFilter(flt)
    return flt
