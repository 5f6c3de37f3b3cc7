"""The redactor's contract: exact placeholders, span coordinates, explicit on/off."""

from __future__ import annotations

import inspect
import logging

import pytest

from voc.redaction import PLACEHOLDERS, PiiType, Redactor, redact


def test_placeholders_are_exact() -> None:
    assert PLACEHOLDERS == {
        PiiType.PHONE: "［電話番号］",
        PiiType.CARD: "［カード番号］",
        PiiType.SECURITY_CODE: "［セキュリティコード］",
        PiiType.EMAIL: "［メールアドレス］",
        PiiType.POSTAL_CODE: "［郵便番号］",
        PiiType.ADDRESS: "［住所］",
        PiiType.BIRTH_DATE: "［生年月日］",
        PiiType.MY_NUMBER: "［個人番号］",
        PiiType.BANK_ACCOUNT: "［口座番号］",
        PiiType.NAME: "［氏名］",
    }


def test_spans_index_the_original_and_the_redacted_text() -> None:
    text = "電話は090-1234-5678、メールはa@example.comです"
    result = redact(text)
    assert result.text == "電話は［電話番号］、メールは［メールアドレス］です"
    phone, email = result.redactions
    assert (phone.type, text[phone.start : phone.end]) == (PiiType.PHONE, "090-1234-5678")
    assert (email.type, text[email.start : email.end]) == (PiiType.EMAIL, "a@example.com")
    for r in result.redactions:
        assert result.text[r.out_start : r.out_end] == r.placeholder
    assert result.types == {PiiType.PHONE, PiiType.EMAIL}


def test_text_without_pii_is_returned_as_is() -> None:
    result = redact("月額9800円のプランでよろしいですか")
    assert result.text == "月額9800円のプランでよろしいですか"
    assert result.redactions == ()


def test_turning_redaction_off_must_be_explicit() -> None:
    assert inspect.signature(Redactor).parameters["enabled"].default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        Redactor()  # type: ignore[call-arg]


def test_disabled_redactor_passes_text_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="voc.redaction"):
        redactor = Redactor(enabled=False)
    assert "DISABLED" in caplog.text
    assert redactor.redact("090-1234-5678").text == "090-1234-5678"


def test_redactor_types_setting() -> None:
    redactor = Redactor(enabled=True, types={PiiType.CARD})
    assert redactor.redact("4111111111111111、090-1234-5678").text == "［カード番号］、090-1234-5678"


def test_card_and_security_code_in_one_sentence() -> None:
    text = "カード番号は4111 1111 1111 1111、セキュリティコードは123です"
    assert redact(text).text == "カード番号は［カード番号］、セキュリティコードは［セキュリティコード］です"
