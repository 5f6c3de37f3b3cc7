"""Join morphemes that analysts read as one word.

- consecutive common nouns: 料金 + プラン → 料金プラン, 通信 + 速度 → 通信速度 (numbers, time adverbs such
  as 今月, formal nouns such as こと/方 and proper nouns such as product names never join);
  an evaluative noun after a noun stays its own word: コスパ最悪 is コスパ + 最悪, サポート最高,
  料金不満, 対応不満 (adjectival nouns — UniDic's 形状詞可能 — and a short list; it is the opinion, and
  rules, lexicon and topics must see it). Before a noun they still join: 最高速度, 最低料金 are names;
- a noun + noun-like suffix: 手数 + 料 → 手数料 (person suffixes 様/さん do not join); a compound with
  a money word or money suffix (料, 費, 代, 金 …) is marked ``money`` (``voc.nlp.money``);
- a non-honorific prefix + noun: 再 + 発行 → 再発行 (honorific お/ご are dropped later by POS);
- a verb stem + adjective-like suffix: 使い + やすい → 使いやすい.
"""

from __future__ import annotations

from dataclasses import replace

from voc.nlp.money import is_money_suffix
from voc.nlp.morph import Morph

_NON_JOINING_NOUNS = frozenset({"事", "物", "訳", "為", "方", "時", "所", "筈", "積もり", "感じ"})
# 過ぎ is the excess of 不便すぎ / 高すぎ, read by the chunker, not part of a word.
_NON_JOINING_SUFFIXES = frozenset({"様", "さん", "君", "ちゃん", "殿", "氏", "達", "等", "方", "過ぎ"})
_HONORIFIC_PREFIXES = frozenset({"御"})
# Nouns UniDic tags as plain nouns although they are the evaluation in 〜最悪 / 〜不満 style phrases.
EVALUATIVE_NOUNS = frozenset({"最悪", "最高", "最低", "不満", "満足", "不便", "便利", "微妙", "残念", "駄目"})
_EVALUATIVE_POS3 = frozenset({"形状詞可能", "サ変形状詞可能"})
_EXCESS_ADJECTIVES = {"高": "高い", "安": "安い"}


def is_evaluative(m: Morph) -> bool:
    """An adjectival noun that says how good or bad something is (最悪, 不満, 便利, 満足 …)."""
    return m.pos1 == "名詞" and (m.pos3 in _EVALUATIVE_POS3 or m.lemma in EVALUATIVE_NOUNS)


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
        money=left.money or right.money or is_money_suffix(right.pos1, right.pos2, right.lemma),
    )


def _adjective_before_excess(morphs: list[Morph], i: int) -> Morph | None:
    """料金高すぎ: UniDic reads 高 as the suffix of 売上高; before すぎ it is the adjective 高い."""
    m = morphs[i]
    nxt = morphs[i + 1] if i + 1 < len(morphs) else None
    adjective = _EXCESS_ADJECTIVES.get(m.lemma)
    if m.pos1 != "接尾辞" or adjective is None or nxt is None or nxt.start != m.end:
        return None
    if nxt.lemma not in ("過ぎ", "過ぎる"):
        return None
    return replace(m, norm=adjective, lemma=adjective, pos1="形容詞", pos2="一般", pos3="*")


def join_compounds(morphs: list[Morph]) -> list[Morph]:
    """Return a new list in which compound parts are merged into single morphs."""
    out: list[Morph] = []
    for i, m in enumerate(morphs):
        adjective = _adjective_before_excess(morphs, i)
        if adjective is not None:
            out.append(adjective)
            continue
        prev = out[-1] if out else None
        adjacent = prev is not None and prev.end == m.start
        if prev is not None and adjacent:
            joins_noun = is_joinable_noun(prev) and not is_evaluative(m)
            if is_joinable_noun(m) and (joins_noun or _is_joinable_prefix(prev)):
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
