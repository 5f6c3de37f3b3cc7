"""Log records that carry PII are redacted before any handler writes them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from voc.redaction import RedactingFilter, install_redacting_filter
from voc.redaction.redactor import Redactor


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def voc_logger() -> Iterator[tuple[logging.Logger, ListHandler]]:
    logger = logging.getLogger("voc.test_redaction_logging")
    handler = ListHandler()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, handler
    logger.removeHandler(handler)
    for f in list(logger.filters):
        logger.removeFilter(f)


def test_filter_redacts_message_and_args(voc_logger: tuple[logging.Logger, ListHandler]) -> None:
    logger, handler = voc_logger
    install_redacting_filter(logger)
    logger.info("segment %d: %s", 3, "カード番号は4111 1111 1111 1111です")
    logger.info("callback to 090-1234-5678")
    logger.info("plan %s", "月額9800円")
    assert handler.messages == [
        "segment 3: カード番号は［カード番号］です",
        "callback to ［電話番号］",
        "plan 月額9800円",
    ]


def test_install_adds_to_logger_and_handlers_once(voc_logger: tuple[logging.Logger, ListHandler]) -> None:
    logger, handler = voc_logger
    install_redacting_filter(logger)
    install_redacting_filter(logger)
    assert sum(isinstance(f, RedactingFilter) for f in logger.filters) == 1
    assert sum(isinstance(f, RedactingFilter) for f in handler.filters) == 1


def test_records_from_child_loggers_are_redacted_by_the_handler_filter(
    voc_logger: tuple[logging.Logger, ListHandler],
) -> None:
    logger, handler = voc_logger
    install_redacting_filter(logger)
    logging.getLogger(f"{logger.name}.child").warning("email %s", "yamada@example.com")
    assert handler.messages == ["email ［メールアドレス］"]


def test_debug_logging_while_the_redactor_starts_does_not_recurse() -> None:
    """The redactor's tagger logs at DEBUG when it is created (once per thread); with the filter on a
    handler that record passes through the filter too, while the filter is redacting."""

    class Keep(logging.Handler):
        def __init__(self) -> None:
            super().__init__(logging.DEBUG)
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    handler = Keep()
    handler.addFilter(RedactingFilter(Redactor(enabled=True)))
    voc_logger = logging.getLogger("voc")
    old_level = voc_logger.level
    voc_logger.addHandler(handler)
    voc_logger.setLevel(logging.DEBUG)
    errors: list[BaseException] = []

    def log_in_a_new_thread() -> None:  # a new thread: the redactor creates its tagger there
        try:
            logging.getLogger("voc.tests").warning("お名前は山田太郎と申します、電話番号は090-1234-5678です")
        except BaseException as exc:
            errors.append(exc)

    try:
        worker = threading.Thread(target=log_in_a_new_thread)
        worker.start()
        worker.join(30)
    finally:
        voc_logger.removeHandler(handler)
        voc_logger.setLevel(old_level)
    assert not errors
    assert any("電話番号" in line for line in handler.lines)
    assert not any("090-1234-5678" in line for line in handler.lines)
