"""Predicate chunks: a content word plus the auxiliaries, particles and helper verbs that modify it.

Negation is decided per chunk by counting negators after the head:
- 助動詞 ない / ず / ぬ (ません = ませ + ん, whose lemma is ず): 使えない, できません, 分からず;
- 形容詞 無い after the head: 高くない, 高くはない, 安くなかった, 満足ではない;
- helper verbs keep the chunk open: 高くありません, 満足していない, 解約されない.
An even count is no negation: 使えないわけではない, 高くないことはない (わけ/こと + で/は + ない keep the
chunk open after a negator), 使わなければならない.

Some negated heads are fixed expressions, not the negation of a word (すみません, 申し訳ございません,
問題ない, 構わない, 間違いない) or words that are negative by themselves (もったいない, つまらない,
足りない, 仕方ない): those chunks become one un-negated word (``FIXED_NEGATIVE_FORMS``).

A negated question is often rhetorical: it asserts what it seems to deny. 高すぎると思いませんか,
これって高くないですか, おかしいじゃないですか and 高いんじゃないですか all say "it is (too) expensive /
wrong". Such a chunk is marked ``rhetorical`` and its last negator does not count (使えないじゃないですか
is still 使えない). Rhetorical, when a question (か, ？) follows: a copula じゃ/では before the last negator,
an adjective or adjectival noun head (高くないですか, 不便ではありませんか), an opinion verb (思いませんか),
or a bare ない after ん/の + じゃ/では (高いんじゃないですか). A verb or noun asked about without a copula
is a genuine question (何か問題はありませんか, ご質問はございませんか, 使えないですか, 解約できませんか).
A 〜でしょう？ tag question without negation is marked rhetorical too.
"""

from __future__ import annotations

from dataclasses import dataclass

from voc.nlp.morph import Morph

NEGATOR_AUX_LEMMAS = frozenset({"ない", "ず", "ぬ"})
# Head lemma → the word a negated chunk stands for.
FIXED_NEGATIVE_FORMS: dict[str, str] = {
    "済む": "すみません",
    "申し訳": "申し訳ない",
    "問題": "問題ない",
    "構う": "構わない",
    "間違い": "間違いない",
    "勿体": "もったいない",
    "詰まる": "つまらない",
    "足りる": "足りない",
    "仕方": "仕方ない",
}
# Helper verbs that continue a chunk after any content head (する after a noun, ある after 高く …).
_HELPERS_ANYWHERE = frozenset({"為る", "有る", "御座る", "居る", "過ぎる", "成る", "致す"})
# Helper verbs that continue a chunk only after the te-form: 〜てみる, 〜てくる, 〜てもらう, 〜てください.
_HELPERS_AFTER_TE = frozenset({"見る", "来る", "行く", "置く", "仕舞う", "貰う", "下さる", "頂く", "呉れる"})
_HELPER_ADJECTIVES = frozenset({"無い", "欲しい"})
# なんか / なんて (and とか, tagged と + か) soften what they follow without ending the chunk:
# 解約とかじゃない, 不満なんかない are negated like 解約じゃない.
_LINKING_PARTICLES = frozenset({"て", "で", "は", "も", "じゃ", "ちゃ", "ば", "なんか", "なんて"})
_DOUBLE_NEGATION_NOUNS = frozenset({"訳", "事"})
_CONTENT_HEAD_POS1 = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞"})
_QUESTION_MARKS = frozenset({"？", "?"})
_OPINION_VERBS = frozenset({"思う", "感じる", "感ずる"})
_NOMINALIZERS = frozenset({"ん", "の"})


@dataclass(frozen=True, slots=True)
class Chunk:
    """``morphs[0]`` is the head; ``fixed`` is set when the chunk is a fixed expression."""

    morphs: tuple[Morph, ...]
    negations: int = 0
    excess: bool = False
    desire: bool = False
    request: bool = False
    fixed: str | None = None
    rhetorical: bool = False

    @property
    def head(self) -> Morph:
        return self.morphs[0]

    @property
    def negated(self) -> bool:
        return _effective(self.negations, self.rhetorical) % 2 == 1 and self.fixed is None

    @property
    def start(self) -> int:
        return self.morphs[0].start

    @property
    def end(self) -> int:
        return self.morphs[-1].end


def _effective(negations: int, rhetorical: bool) -> int:
    """A rhetorical question's last negator asserts instead of denying."""
    return negations - 1 if rhetorical and negations > 0 else negations


def _is_negator(m: Morph) -> bool:
    if m.pos1 == "助動詞":
        return m.lemma in NEGATOR_AUX_LEMMAS
    return m.pos1 == "形容詞" and m.lemma == "無い"


def _is_particle(m: Morph) -> bool:
    return m.pos1 == "助詞" and m.surface in _LINKING_PARTICLES


def _links(morphs: list[Morph], i: int) -> bool:
    """A linking particle at ``morphs[i]``, counting とか (と + か) as one."""
    m = morphs[i]
    if _is_particle(m):
        return True
    if m.pos1 != "助詞":
        return False
    if m.surface == "と":
        return i + 1 < len(morphs) and morphs[i + 1].surface == "か" and morphs[i + 1].pos2 == "副助詞"
    return m.surface == "か" and m.pos2 == "副助詞" and i > 0 and morphs[i - 1].surface == "と"


def _is_helper(m: Morph, prev: Morph) -> bool:
    if m.pos1 == "動詞" and m.lemma in _HELPERS_ANYWHERE:
        return True
    if m.pos1 == "動詞" and m.lemma in _HELPERS_AFTER_TE:
        return prev.pos1 == "助詞" and prev.surface in ("て", "で")
    return m.pos1 == "形容詞" and m.pos2 == "非自立可能" and m.lemma in _HELPER_ADJECTIVES


def _is_excess_suffix(m: Morph) -> bool:
    return m.pos1 == "接尾辞" and m.lemma == "過ぎ"  # 高すぎ, 不便すぎ (the noun form of 過ぎる)


def _continues(morphs: list[Morph], i: int, chunk: list[Morph]) -> bool:
    """Does ``morphs[i]`` belong to the chunk being built?"""
    m, prev = morphs[i], chunk[-1]
    if chunk[0].pos1 not in _CONTENT_HEAD_POS1:
        return m.pos1 == "助動詞" and chunk[0].pos1 not in ("助詞", "補助記号")
    if m.pos1 == "助動詞" or _is_helper(m, prev) or _is_excess_suffix(m):
        return True
    if prev.end != m.start:
        return False
    if _links(morphs, i) or (m.pos1 == "名詞" and m.lemma in _DOUBLE_NEGATION_NOUNS and _is_negator(prev)):
        # Only when a helper, an auxiliary or a negator follows: 高くはない, ないわけではない, してほしい.
        j = i + 1
        while j < len(morphs) and _links(morphs, j) and j - i < 3:
            j += 1
        if j < len(morphs):
            nxt = morphs[j]
            return nxt.pos1 == "助動詞" or _is_helper(nxt, morphs[j - 1])
    return False


def _question_after(morphs: list[Morph], i: int) -> str | None:
    """The question marker at ``morphs[i]``: ``"か"`` (か, かね, かな), ``"？"``, or ``None``."""
    if i >= len(morphs):
        return None
    m = morphs[i]
    if m.pos1 == "助詞" and m.pos2 == "終助詞" and m.surface.startswith("か"):
        return "か"
    return "？" if m.pos1 == "補助記号" and m.surface in _QUESTION_MARKS else None


def _copula_before_last_negator(morphs: list[Morph]) -> bool:
    last = max(i for i, m in enumerate(morphs) if _is_negator(m))
    for j in range(1, last):
        m = morphs[j]
        if m.surface in ("じゃ", "ちゃ") or (m.surface == "で" and morphs[j + 1].surface in ("は", "も")):
            return True
    return False


def _is_bare_negator_after_copula(chunk: list[Morph], before: list[Morph]) -> bool:
    """高いんじゃないですか, 高すぎじゃないですか: a ない chunk right after じゃ / では."""
    if not _is_negator(chunk[0]) or not before:
        return False
    last = before[-1]
    if last.surface in ("じゃ", "ちゃ"):
        return True
    return last.surface in ("は", "も") and len(before) > 1 and before[-2].surface == "で"


def _rhetorical(chunk: list[Morph], negations: int, question: str | None, before: list[Morph]) -> bool:
    if question is None:
        return False
    head = chunk[0]
    if negations == 0:
        # 高いでしょう？ asserts; 高いでしょうか asks.
        tag = any(m.pos1 == "助動詞" and m.c_form.startswith("意志推量") for m in chunk[1:])
        return (tag and question == "？") or _is_bare_negator_after_copula(chunk, before)
    if head.pos1 in ("形容詞", "形状詞") or head.lemma in _OPINION_VERBS:
        return True
    return _copula_before_last_negator(chunk)


def _finish(morphs: list[Morph], *, question: str | None = None, before: list[Morph] | None = None) -> Chunk:
    head, rest = morphs[0], morphs[1:]
    negations = sum(1 for m in rest if _is_negator(m))
    excess = any(m.lemma == "過ぎる" or _is_excess_suffix(m) for m in rest)
    request = any(
        m.lemma in ("欲しい", "下さる", "頂く", "貰う") and i > 0 and rest[i - 1].surface in ("て", "で")
        for i, m in enumerate(rest)
    )
    desire = not request and (
        any(m.pos1 == "助動詞" and m.lemma == "たい" for m in rest)
        or (head.pos1 == "名詞" and any(m.lemma == "欲しい" for m in rest))
    )
    rhetorical = _rhetorical(morphs, negations, question, before or [])
    odd = _effective(negations, rhetorical) % 2 == 1
    fixed = FIXED_NEGATIVE_FORMS.get(head.lemma) if odd else None
    return Chunk(tuple(morphs), negations, excess, desire, request, fixed, rhetorical)


def chunk(morphs: list[Morph]) -> list[Chunk]:
    """Group morphs into chunks, in text order; every morph belongs to exactly one chunk."""
    chunks: list[Chunk] = []
    current: list[Morph] = []
    start = 0
    for i, m in enumerate(morphs):
        if current and _continues(morphs, i, current):
            current.append(m)
            continue
        if current:
            before = morphs[max(start - 2, 0) : start]
            chunks.append(_finish(current, question=_question_after(morphs, i), before=before))
        current, start = [m], i
    if current:
        chunks.append(_finish(current, before=morphs[max(start - 2, 0) : start]))
    return chunks
