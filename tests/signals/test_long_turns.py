"""Long turns made for measurement keep their line's labels and never pair a line with its own family."""

from __future__ import annotations

from voc.signals.corpus import LabelledUtterance
from voc.signals.long_turns import long_turns

CHURN = (0, 0, 1, 0, 0)
NONE = (0, 0, 0, 0, 0)


def line(id_: str, family: str, text: str, labels: tuple[int, ...], kind: str) -> LabelledUtterance:
    return LabelledUtterance(id_, family, "customer", text, labels, "neutral", kind)


ITEMS = [
    line("c1", "churn-a", "来月で解約したいです", CHURN, "positive"),
    line("c2", "churn-a", "今月いっぱいでやめます。", CHURN, "positive"),
    line("d1", "decoy-a", "解約するつもりはないです", NONE, "decoy"),
    line("n1", "neu-a", "請求書の送り先を変えたいんですが", NONE, "neutral"),
    line("n2", "neu-b", "お世話になっております", NONE, "neutral"),
    LabelledUtterance("o1", "op-a", "operator", "解約のご案内です", NONE, "neutral", "operator"),
]


def test_a_long_turn_joins_a_line_with_a_quiet_line_of_another_family() -> None:
    turns = long_turns(ITEMS, n=100, seed=3)
    assert len(turns) == 5  # every customer line, none of the operator's
    by_line = {t.id.split("+")[0]: t for t in turns}
    for source in ITEMS[:5]:
        turn = by_line[source.id]
        partner = next(u for u in ITEMS if u.id == turn.id.split("+")[1])
        assert partner.family != source.family and partner.kind == "neutral"
        assert source.text.rstrip("。") in turn.text and partner.text.rstrip("。") in turn.text
        assert len(turn.text) > len(source.text) + len(partner.text) - 2
        assert (turn.labels, turn.kind, turn.family) == (source.labels, source.kind, source.family)


def test_the_same_set_and_seed_make_the_same_turns() -> None:
    assert long_turns(ITEMS, 3, seed=1) == long_turns(ITEMS, 3, seed=1)
    assert len(long_turns(ITEMS, 3, seed=1)) == 3
    assert long_turns([u for u in ITEMS if u.kind != "neutral"], 10) == []  # no quiet line, no turns
