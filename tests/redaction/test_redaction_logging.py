"""Log records that carry PII are redacted before any handler writes them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from voc.redaction import RedactingFilter, install_redacting_filter


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
