"""What an entry point works with once ``voc.assembly`` has built it: the settings it read, the engine,
the audio store, the dispatcher and the text toolkit. A plain container: library code never reads
settings itself; the CLI, the API and the workers pass these parts down as arguments.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from voc.audio_store import LocalAudioStore
from voc.db.engine import reads_engine
from voc.pipeline.dispatch import CallDispatcher
from voc.redaction import RedactingFilter
from voc.security.keys import KeyCache
from voc.settings import Settings

if TYPE_CHECKING:
    from voc.nlp.toolkit import TextToolkit


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    store: LocalAudioStore
    dispatcher: CallDispatcher
    """Tells workers about newly queued calls (a Celery task each when a broker is configured)."""
    toolkit: Callable[[], TextToolkit]
    """The tokenizer and lexicon, loaded on first use (the user dictionary must have been built)."""
    key_cache: KeyCache = field(default_factory=KeyCache)
    """API keys checked recently, in this process (``voc.security.keys.KeyCache``)."""

    @functools.cached_property
    def read_engine(self) -> Engine:
        """For the API's reads (``voc.db.engine.reads_engine``: autocommit on PostgreSQL)."""
        return reads_engine(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def configure_logging(level: str) -> None:
    """Log to stderr; every handler redacts PII from messages (defence in depth: transcripts are
    redacted before they are stored, but an error message could still quote raw text)."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redacting = RedactingFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
