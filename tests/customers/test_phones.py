"""Phone numbers in the forms callers, CRMs and ASR write them all normalise to one E.164."""

from __future__ import annotations

import pytest

from voc.customers.phones import normalise_phone, split_phones


@pytest.mark.parametrize(
    "raw",
    [
        "03-5678-9012",
        "0356789012",
        "(03)5678-9012",
        "03 5678 9012",
        "+81 3-5678-9012",
        "+81356789012",
        "0081356789012",
        "０３－５６７８－９０１２",
        "03の5678の9012",
        "〇三の五六七八の九〇一二",
        "+81(0)3-5678-9012",
    ],
)
def test_landline_forms_match(raw: str) -> None:
    assert normalise_phone(raw) == "+81356789012"


@pytest.mark.parametrize(
    "raw",
    ["090-1234-5678", "090の1234の5678", "+81 90 1234 5678", "09012345678", "０９０ー１２３４ー５６７８"],
)
def test_mobile_forms_match(raw: str) -> None:
    assert normalise_phone(raw) == "+819012345678"


@pytest.mark.parametrize("raw", ["", "1234", "abc", "03-5678", "+81 12"])
def test_garbage_is_not_a_number(raw: str) -> None:
    assert normalise_phone(raw) is None


def test_foreign_numbers_keep_their_country() -> None:
    assert normalise_phone("+1 415 555 0100") == "+14155550100"


def test_a_cell_with_several_numbers_splits() -> None:
    assert split_phones("03-5678-9012; 090-1234-5678、+81 80 1111 2222") == [
        "03-5678-9012",
        "090-1234-5678",
        "+81 80 1111 2222",
    ]
