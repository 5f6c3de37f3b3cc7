"""Join morphemes that analysts read as one word.

- consecutive common nouns: 料金 + プラン → 料金プラン, 通信 + 速度 → 通信速度 (numbers, time adverbs such
  as 今月, formal nouns such as こと/方 and proper nouns such as product names never join);
- a noun + noun-like suffix: 手数 + 料 → 手数料 (person suffixes 様/さん do not join);
- a non-honorific prefix + noun: 再 + 発行 → 再発行 (honorific お/ご are dropped later by POS);
- a verb stem + adjective-like suffix: 使い + やすい → 使いやすい.
"""

from __future__ import annotations

from dataclasses import replace

from voc.nlp.morph import Morph

_NON_JOINING_NOUNS = frozenset({"事", "物", "訳", "為", "方", "時", "所", "筈", "積もり", "感じ"})
_NON_JOINING_SUFFIXES = frozenset({"様", "さん", "君", "ちゃん", "殿", "氏", "達", "等", "方"})
_HONORIFIC_PREFIXES = frozenset({"御"})


def is_joinable_noun(m: Morph) -> bool:
    return (
        m.pos1 == "名詞"
        and m.pos2 == "普通名詞"
        and m.pos3 != "副詞可能"
        and m.lemma not in _NON_JOINING_NOUNS
    )


def _join(left: Morph, right: Morph, *, pos1: str | None = None) -> Morph:
    norm = left.norm + right.norm
    return replace(
        left,
        surface=left.surface + right.surface,
        norm=norm,
        lemma=norm,
        pos1=pos1 or right.pos1,
        pos2=right.pos2,
        pos3=right.pos3,
        c_form=right.c_form,
        end=right.end,
    )


def join_compounds(morphs: list[Morph]) -> list[Morph]:
    """Return a new list in which compound parts are merged into single morphs."""
    out: list[Morph] = []
    for m in morphs:
        prev = out[-1] if out else None
        adjacent = prev is not None and prev.end == m.start
        if prev is not None and adjacent:
            if is_joinable_noun(m) and (is_joinable_noun(prev) or _is_joinable_prefix(prev)):
                out[-1] = _join(prev, m, pos1="名詞")
                continue
            if (
                m.pos1 == "接尾辞"
                and m.pos2 == "名詞的"
                and is_joinable_noun(prev)
                and m.lemma not in _NON_JOINING_SUFFIXES
            ):
                out[-1] = _join(prev, m, pos1="名詞")
                continue
            if m.pos1 == "接尾辞" and m.pos2 == "形容詞的" and prev.pos1 == "動詞":
                merged = _join(prev, m, pos1="形容詞")
                out[-1] = replace(merged, norm=prev.surface + m.norm, lemma=prev.surface + m.norm)
                continue
        out.append(m)
    return out


def _is_joinable_prefix(m: Morph) -> bool:
    return m.pos1 == "接頭辞" and m.lemma not in _HONORIFIC_PREFIXES
