"""Whisper-style noise learned from (clean, heard) pairs, and the pseudo-heard training copies."""

from __future__ import annotations

from voc.signals.asr_noise import AsrNoise, pseudo_heard
from voc.signals.corpus import HEARD_SUFFIX, LabelledUtterance

PAIRS = [
    ("解約したいんですけど。", "開躍したいんですけど"),
    ("解約の手続きをお願いします。", "開躍の手続きをお願いします"),
    ("契約を見直したいです。", "計画を見直したいです"),
]


def test_learned_confusions_rewrite_clean_text() -> None:
    noise = AsrNoise(rate=1.0, char_rate=0.0, punctuation_drop=1.0).fit(PAIRS)
    assert noise.transform(["来月で解約します。"]) == ["来月で開躍します"]
    assert noise.transform(["契約、いつまでですか？"]) == ["計画いつまでですか"]


def test_text_without_learned_confusions_keeps_its_words() -> None:
    noise = AsrNoise(rate=1.0, char_rate=1.0, punctuation_drop=0.0).fit(PAIRS)
    assert noise.transform(["料金が高いです。"]) == ["料金が高いです。"]


def test_noise_is_deterministic_per_seed() -> None:
    texts = ["解約したいです、契約が長すぎて。"] * 1 + [f"解約{i}回目です。" for i in range(20)]
    a = AsrNoise(rate=0.5, random_state=1).fit(PAIRS).transform(texts)
    assert a == AsrNoise(rate=0.5, random_state=1).fit(PAIRS).transform(texts)
    assert a != AsrNoise(rate=0.5, random_state=2).fit(PAIRS).transform(texts)


def _line(
    uid: str, family: str, text: str, speaker: str = "customer", heard: bool = False
) -> LabelledUtterance:
    return LabelledUtterance(uid, family, speaker, text, (0, 0, 1, 0, 0), "neutral", heard=heard)


def test_pseudo_heard_copies_lines_without_a_real_heard_copy() -> None:
    items = [
        _line("a-1", "a", "解約したいんですけど。"),
        _line("a-1" + HEARD_SUFFIX, "a", "開躍したいんですけど", heard=True),
        _line("a-2", "a", "解約を考えています。"),
        _line("b-1", "b", "今月で解約します。"),
        _line("b-2", "b", "解約でお願いします。"),
        _line("op-1", "op", "解約でよろしいですか。", speaker="operator"),
    ]
    copies = pseudo_heard(items, per_family=1, noise=AsrNoise(rate=1.0))
    by_family = {c.family: c for c in copies}
    assert sorted(by_family) == ["a", "b"]  # one per family, never the operator's line
    assert by_family["a"].id == "a-2#noised"  # a-1 already has a real heard copy
    assert all(c.heard and c.labels == (0, 0, 1, 0, 0) and "開躍" in c.text for c in copies)


def test_no_pseudo_heard_copies_without_heard_pairs_to_learn_from() -> None:
    assert pseudo_heard([_line("a-1", "a", "解約したいです。")], per_family=2) == []
