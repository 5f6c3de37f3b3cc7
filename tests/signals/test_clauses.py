"""Where a customer's turn is cut into clauses the detector also reads on their own."""

from __future__ import annotations

import pytest

from voc.signals.clauses import clauses


@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        # Sentence ends, Whisper's punctuation included.
        ("来月で解約します。他社の方が安いので。", ["来月で解約します。", "他社の方が安いので。"]),
        ("動画が止まるんですけど?直りませんか!", ["動画が止まるんですけど?", "直りませんか!"]),
        (
            "設定が分からない。動画もすぐ止まる。もううんざりです",
            ["設定が分からない。", "動画もすぐ止まる。", "もううんざりです"],
        ),
    ],
)
def test_a_turn_is_cut_where_a_clause_stands_alone(turn: str, expected: list[str]) -> None:
    assert clauses(turn) == expected


@pytest.mark.parametrize(
    "turn",
    [
        "高いと思ってたけど、使ってみたら今は満足です。",  # a concession is read whole
        "もっと安かったら、続けてもいいんですけどね",  # so is a condition
        "タバコをやめたので、保険料が下がるプランってありますか",  # and a reason: やめた is not leaving
        "えーと、月々の支払いが高すぎるんですね",  # one clause
        "",
    ],
)
def test_clauses_joined_by_a_comma_stay_whole(turn: str) -> None:
    assert clauses(turn) == []


def test_pieces_too_short_to_mean_anything_join_their_neighbour() -> None:
    assert clauses("はい。来月で解約します。他社の方が安いので。えっと。") == [
        "はい。来月で解約します。",
        "他社の方が安いので。えっと。",
    ]
    assert clauses("はい。ええ。実は来月で解約しようと思って。") == []  # one clause after all
