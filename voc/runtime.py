"""What an entry point builds from the settings once: the engine and the audio store.

Library code never reads settings itself; the CLI, the API and the worker build a Runtime and pass its
parts down as arguments.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from voc.audio_store import LocalAudioStore
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.settings import Settings

if TYPE_CHECKING:
    from voc.nlp.toolkit import TextToolkit
    from voc.pipeline.dispatch import CallDispatcher


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    store: LocalAudioStore
    _toolkit: TextToolkit | None = field(default=None, init=False, repr=False)
    _dispatcher: CallDispatcher | None = field(default=None, init=False, repr=False)

    def notify_queued(self, call_ids: list[int]) -> None:
        """Tell workers about newly queued calls (a Celery task each when a broker is configured)."""
        if self._dispatcher is None:
            from voc.pipeline.dispatch import CallDispatcher

            self._dispatcher = CallDispatcher.from_settings(self.settings, self.engine)
        self._dispatcher.notify(call_ids)

    def toolkit(self) -> TextToolkit:
        """The tokenizer and lexicon, loaded on first use (the user dictionary must have been built)."""
        if self._toolkit is None:
            from voc.nlp.toolkit import TextToolkit

            nlp = self.settings.nlp
            self._toolkit = TextToolkit.load(nlp.domain_terms, nlp.polarity, nlp.user_dictionary)
        return self._toolkit

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = False) -> Runtime:
        engine = make_engine(settings.resolved_database_url)
        if migrate:
            upgrade(engine)
        return cls(settings=settings, engine=engine, store=LocalAudioStore(settings.resolved_audio_dir))

    def close(self) -> None:
        self.engine.dispose()


def configure_logging(level: str) -> None:
    """Log to stderr; every handler redacts PII from messages (defence in depth: transcripts are
    redacted before they are stored, but an error message could still quote raw text)."""
    from voc.redaction import RedactingFilter

    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redacting = RedactingFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(redacting)
