"""Morphemes from the tagger as plain typed records, with offsets and a normalised form.

The normalised form (``norm``) is UniDic's lemma with three corrections:
- the loanword gloss is stripped (``サポート-support`` → ``サポート``, ``円-助数詞`` → ``円``);
- potential verbs keep their own base form (lemma 使う for 使える would merge "can use" into "use"):
  when the lemma's reading differs from the base form's reading, ``orthBase`` is used;
- adverbs keep their written base form (UniDic's lemma of とても is 迚も);
- a few lemmas UniDic writes in rarely used kanji (為る, 出来る, 有る, 無い …) use their usual kana spelling;
- unknown words (lemma None) use their surface.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from voc.nlp.money import MONEY_WORDS

KANA_LEMMAS: dict[str, str] = {
    "為る": "する", "出来る": "できる", "有る": "ある", "居る": "いる", "成る": "なる", "無い": "ない",
    "御座る": "ござる", "下さる": "くださる", "頂く": "いただく", "致す": "いたす", "貰う": "もらう",
    "呉れる": "くれる", "仕舞う": "しまう", "欲しい": "ほしい", "良い": "いい", "過ぎる": "すぎる",
    "事": "こと", "物": "もの", "訳": "わけ", "為": "ため", "様": "さま", "其の": "その", "此の": "この",
    "有り難う": "ありがとう", "易い": "やすい", "難い": "にくい",
    "遣る": "やる", "遣り方": "やり方", "殆ど": "ほとんど", "侭": "まま", "一寸": "ちょっと",
    "矢張り": "やっぱり", "迄": "まで", "筈": "はず", "又": "また", "位": "くらい",
    "可笑しい": "おかしい",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Morph:
    """One morpheme; ``start``/``end`` index the NFKC text the tagger saw."""

    surface: str
    norm: str
    pos1: str
    pos2: str
    pos3: str
    lemma: str  # UniDic lemma with the gloss stripped (surface for unknown words)
    c_form: str
    start: int
    end: int
    money: bool = False  # a money word, or (after ``join_compounds``) a compound with one


def strip_gloss(lemma: str) -> str:
    head, sep, _ = lemma.partition("-")
    return head if sep and head else lemma


def normal_form(feature: Any, surface: str) -> str:
    lemma = feature.lemma
    if lemma is None or lemma == "*":
        return surface
    base = unicodedata.normalize("NFKC", strip_gloss(str(lemma)))  # ＷｉＦｉ-Wi-Fi → WiFi
    if feature.pos1 == "動詞" and feature.lForm and feature.kanaBase and feature.lForm != feature.kanaBase:
        base = str(feature.orthBase)  # potential form: 使える stays 使える
    elif feature.pos1 == "副詞" and feature.orthBase:
        base = str(feature.orthBase)  # adverb lemmas use rare kanji (迚も, 直ぐ); keep the written form
    return KANA_LEMMAS.get(base, base)


def to_morphs(nodes: Any, text: str) -> list[Morph]:
    """Convert fugashi nodes of ``text`` into morphs with character offsets into ``text``."""
    morphs: list[Morph] = []
    pos = 0
    for node in nodes:
        surface = str(node.surface)
        pos += len(node.white_space)
        found = text.find(surface, pos)
        start = found if found >= 0 else pos  # whitespace MeCab skipped without reporting it
        f = node.feature
        lemma = surface if f.lemma is None else strip_gloss(str(f.lemma))
        norm = normal_form(f, surface)
        morphs.append(
            Morph(
                surface=surface,
                norm=norm,
                pos1=str(f.pos1),
                pos2=str(f.pos2),
                pos3=str(f.pos3),
                lemma=lemma,
                c_form=str(f.cForm or "*"),
                start=start,
                end=start + len(surface),
                money=norm in MONEY_WORDS and str(f.pos1) in ("名詞", "動詞", "形状詞"),
            )
        )
        pos = start + len(surface)
    return morphs
