"""The domain vocabulary: one list of product, plan, competitor, slang and domain terms.

The same list feeds the ASR decoder (``hotwords``) and the MeCab user dictionary (``voc.nlp.userdict``),
so a name Whisper is biased towards is also kept as one token by the tokenizer.
File format (``models/nlp/domain_terms.tsv``): tab-separated ``surface, reading, kind, lemma``; a header
line starting with ``surface`` and ``#`` comment lines are skipped; ``lemma`` may be empty. A row whose
lemma differs from its surface is a spelling variant or abbreviation (コストパフォーマンス,
コスト・パフォーマンス → コスパ; サポ → サポート): the tokenizer emits the lemma for it.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

logger = logging.getLogger(__name__)

TermKind = Literal["product", "plan", "competitor", "slang", "term"]
KINDS: tuple[TermKind, ...] = ("product", "plan", "competitor", "slang", "term")
# Order of the ASR hotwords: names the decoder cannot guess come first.
HOTWORD_ORDER: tuple[TermKind, ...] = ("product", "competitor", "plan", "term", "slang")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")


@dataclass(frozen=True, slots=True)
class Term:
    """One vocabulary entry; ``lemma`` is the normalised form the tokenizer emits for it."""

    surface: str
    reading: str
    kind: TermKind
    lemma: str

    def __post_init__(self) -> None:
        nfkc = unicodedata.normalize("NFKC", self.surface)
        if not self.surface or "," in self.surface or nfkc != self.surface:
            raise ValueError(f"term surface must be non-empty NFKC text without commas: {self.surface!r}")
        if not _KATAKANA.match(self.reading):
            raise ValueError(f"reading of {self.surface!r} must be katakana: {self.reading!r}")
        if self.kind not in KINDS:
            raise ValueError(f"kind of {self.surface!r} must be one of {KINDS}: {self.kind!r}")
        if "," in self.lemma:
            raise ValueError(f"lemma of {self.surface!r} must not contain commas")


def parse_terms(lines: Iterable[str]) -> list[Term]:
    """Parse TSV lines into terms (duplicates of a surface are an error)."""
    terms: list[Term] = []
    seen: set[str] = set()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#") or line.startswith("surface\t"):
            continue
        cols = line.split("\t")
        if len(cols) < 3:
            raise ValueError(f"line {number}: expected surface, reading, kind[, lemma]: {line!r}")
        surface, reading, kind = (c.strip() for c in cols[:3])
        lemma = cols[3].strip() if len(cols) > 3 and cols[3].strip() else surface
        if surface in seen:
            raise ValueError(f"line {number}: duplicate term {surface!r}")
        seen.add(surface)
        terms.append(Term(surface=surface, reading=reading, kind=cast(TermKind, kind), lemma=lemma))
    return terms


def load_terms(path: str | Path) -> list[Term]:
    """Load the domain vocabulary from a TSV file."""
    terms = parse_terms(Path(path).read_text(encoding="utf-8").splitlines())
    logger.debug("loaded %d domain terms from %s", len(terms), path)
    return terms


def is_variant(term: Term) -> bool:
    """Is ``term`` another spelling or an abbreviation of its lemma (コストパフォーマンス → コスパ)?"""
    return term.lemma != term.surface


def hotwords(terms: Iterable[Term], max_chars: int = 120) -> str:
    """The ASR hotword string: product/competitor names first, then plans, terms, slang.

    Kept short (``max_chars``) because it is prepended to every decoding window; terms that do not fit
    are left out whole, never cut. A spelling variant of a listed term (``コストパフォーマンス`` whose lemma
    is ``コスパ``, ``is_variant``) is left out: the decoder needs the form, not every way of writing it.
    """
    rank = {kind: i for i, kind in enumerate(HOTWORD_ORDER)}
    ordered = sorted((t for t in terms if not is_variant(t)), key=lambda t: rank[t.kind])
    picked: list[str] = []
    length = 0
    for term in ordered:
        if term.surface in picked:
            continue
        extra = len(term.surface) + (1 if picked else 0)
        if length + extra > max_chars:
            continue
        picked.append(term.surface)
        length += extra
    return "、".join(picked)
