"""Property: a card or phone number said in any form never survives redaction.

Numbers are rendered the ways Whisper writes speech: ASCII, full-width, kanji digit by digit,
positional kanji per group (千二百三十四), katakana readings, grouped with random separators,
embedded in carrier sentences and sometimes split across two segments of the same speaker.
The check normalises the output back to ASCII digits independently of the library.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from voc.redaction import redact, redact_segments

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_KANJI = "〇一二三四五六七八九"
_KATAKANA = {
    "0": ["ゼロ", "マル", "レイ"], "1": ["イチ"], "2": ["ニ", "ニー"], "3": ["サン"], "4": ["ヨン"],
    "5": ["ゴ", "ゴー"], "6": ["ロク"], "7": ["ナナ"], "8": ["ハチ"], "9": ["キュウ", "キュー"],
}  # fmt: skip
_SEPARATORS = [
    "",
    " ",
    "　",
    "-",
    "‐",
    "－",
    "ー",
    "―",
    "の",
    "、",
    ".",
    "・",
    " の ",
    "、えー、",
    "ハイフン",
]
_CARD_CARRIERS = [
    "カード番号は{}です",
    "{}でお願いします",
    "えっと、{}です",
    "はい、番号は{}になります",
    "カードナンバー{}です",
    "{}",
]
_PHONE_CARRIERS = ["{}にお電話ください", "携帯は{}です", "連絡先は{}でお願いします", "はい、{}です", "{}"]

_KATAKANA_READING_RE = re.compile(
    "|".join(sorted((r for rs in _KATAKANA.values() for r in rs), key=len, reverse=True))
)
_READING_DIGIT = {r: d for d, rs in _KATAKANA.items() for r in rs}


def ascii_digits(text: str) -> str:
    """Every digit left in ``text``, in any script, as one ASCII string (independent of the library)."""
    text = _KATAKANA_READING_RE.sub(lambda m: _READING_DIGIT[m.group()], text)
    text = text.translate(str.maketrans("０１２３４５６７８９" + _KANJI + "零", "0123456789" * 2 + "0"))
    return "".join(ch for ch in text if ch.isascii() and ch.isdigit())


def positional(group: str) -> str:
    out = ""
    for digit, unit in zip(group.rjust(4, "0"), "千百十", strict=False):
        if digit != "0":
            out += ("" if digit == "1" else _KANJI[int(digit)]) + unit
    last = group.rjust(4, "0")[3]
    return out + ("" if last == "0" else _KANJI[int(last)])


@st.composite
def card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([13, 14, 15, 16, 16, 16, 19]))
    body = draw(st.sampled_from("3456")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=length - 2, max_size=length - 2))
    )
    for check in "0123456789":
        candidate = body + check
        total = sum(
            (d * 2 - 9 if d > 4 else d * 2) if i % 2 else d
            for i, d in enumerate(int(c) for c in reversed(candidate))
        )
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


@st.composite
def phone_numbers(draw: st.DrawFn) -> str:
    rest = st.lists(st.sampled_from("0123456789"), min_size=8, max_size=8).map("".join)
    kind = draw(st.sampled_from(["mobile", "landline", "tollfree", "0800"]))
    if kind == "mobile":
        return draw(st.sampled_from(["070", "080", "090"])) + draw(rest)
    if kind == "landline":
        return "0" + draw(st.sampled_from("123456789")) + draw(rest)
    tail = draw(st.lists(st.sampled_from("0123456789"), min_size=7, max_size=7).map("".join))
    return "0120" + tail[:6] if kind == "tollfree" else "0800" + tail


@st.composite
def groupings(draw: st.DrawFn, number: str) -> list[str]:
    if draw(st.booleans()):
        sizes = {
            16: [4, 4, 4, 4],
            15: [4, 6, 5],
            11: [3, 4, 4],
            10: [2, 4, 4] if number[1] != "1" else [4, 3, 3],
        }
        if len(number) in sizes:
            out, pos = [], 0
            for size in sizes[len(number)]:
                out.append(number[pos : pos + size])
                pos += size
            return out
    cuts = sorted(draw(st.sets(st.integers(1, len(number) - 1), max_size=6)))
    return [number[a:b] for a, b in zip([0, *cuts], [*cuts, len(number)], strict=True)]


@st.composite
def renderings(draw: st.DrawFn, number: str) -> list[str]:
    """The number as spoken pieces: each group rendered, followed by its separator."""
    groups = draw(groupings(number))
    pieces: list[str] = []
    kinds: list[str] = []
    for group in groups:
        choices = ["ascii", "fullwidth", "kanji", "katakana"]
        if not group.startswith("0") and len(group) <= 4:
            choices.append("positional")
        kinds.append(draw(st.sampled_from(choices)))
    for i, (group, kind) in enumerate(zip(groups, kinds, strict=True)):
        if kind == "ascii":
            text = group
        elif kind == "fullwidth":
            text = group.translate(_FULLWIDTH)
        elif kind == "kanji":
            text = "".join(draw(st.sampled_from(["〇", "零"])) if d == "0" else _KANJI[int(d)] for d in group)
        elif kind == "katakana":
            text = "".join(draw(st.sampled_from(_KATAKANA[d])) for d in group)
        else:
            text = positional(group)
        if i + 1 < len(groups):
            separator = draw(st.sampled_from(_SEPARATORS))
            if not separator and "positional" in (kind, kinds[i + 1]):
                separator = "の"  # 九百八十 + 七 would be one spoken number; a caller pauses there
            text += separator
        pieces.append(text)
    return pieces


def assert_no_leak(number: str, output: str) -> None:
    assert not set("十百千万") & set(output), output
    leftover = ascii_digits(output)
    for i in range(len(number) - 3):
        assert number[i : i + 4] not in leftover, (number, output)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_card_numbers_never_survive(data: st.DataObject) -> None:
    number = data.draw(card_numbers())
    spoken = "".join(data.draw(renderings(number)))
    sentence = data.draw(st.sampled_from(_CARD_CARRIERS)).format(spoken)
    assert_no_leak(number, redact(sentence).text)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_phone_numbers_never_survive(data: st.DataObject) -> None:
    number = data.draw(phone_numbers())
    spoken = "".join(data.draw(renderings(number)))
    sentence = data.draw(st.sampled_from(_PHONE_CARRIERS)).format(spoken)
    assert_no_leak(number, redact(sentence).text)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_numbers_split_across_two_segments_never_survive(data: st.DataObject) -> None:
    number = data.draw(st.one_of(card_numbers(), phone_numbers()))
    pieces = data.draw(renderings(number).filter(lambda p: len(p) > 1))
    cut = data.draw(st.integers(1, len(pieces) - 1))
    carrier = data.draw(st.sampled_from(_CARD_CARRIERS if len(number) > 11 else _PHONE_CARRIERS))
    head, tail = carrier.split("{}")
    segments = [("customer", head + "".join(pieces[:cut])), ("customer", "".join(pieces[cut:]) + tail)]
    if data.draw(st.booleans()):
        segments.insert(1, ("operator", "はい"))
    output = "".join(r.text for r in redact_segments(segments))
    assert_no_leak(number, output)


def kanji_amount(n: int) -> str:
    man, rest = divmod(n, 10000)
    return (positional(str(man)) + "万" if man else "") + (positional(str(rest)) if rest else "")


_QUANTITY_CARRIERS = [
    "月額{}円のプランです",
    "{}円になります",
    "ご請求は{}円です",
    "{}GBまで使えます",
    "{}パーセント割引です",
    "{}回お電話しました",
    "{}年契約です",
    "{}ポイントあります",
]


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(1, 99_999_999),
    form=st.sampled_from(["ascii", "comma", "fullwidth", "kanji"]),
    carrier=st.sampled_from(_QUANTITY_CARRIERS),
)
def test_prices_and_quantities_always_survive(amount: int, form: str, carrier: str) -> None:
    rendered = {
        "ascii": str(amount),
        "comma": f"{amount:,}",
        "fullwidth": str(amount).translate(_FULLWIDTH),
        "kanji": kanji_amount(amount),
    }[form]
    sentence = carrier.format(rendered)
    assert redact(sentence).text == sentence
