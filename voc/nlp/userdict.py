"""Build the MeCab user dictionary of domain terms against unidic-lite's system dictionary.

unidic-lite splits terms such as コスパ (コ + スパ) and 二重請求 (二 + 重 + 請求). A compiled user
dictionary keeps them whole. It is built with ``fugashi.build_dictionary`` (fugashi's public wrapper of
``mecab-dict-index``) from a CSV in unidic's 26-feature layout. The context ids are read from the system
dictionary's ``left-id.def`` / ``right-id.def`` (auto-assignment of ids is broken in MeCab, see
polm/fugashi#75). Only terms the system dictionary actually splits, or reads with another lemma than the
term's (a variant such as サポ → サポート), are added, so existing analyses (乗り換え as a verb in
乗り換えたい, 他社) are left untouched.
"""

from __future__ import annotations

import csv
import logging
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from voc.nlp.dictionary import create_tagger, system_dicdir
from voc.nlp.morph import normal_form
from voc.nlp.vocabulary import Term, load_terms

logger = logging.getLogger(__name__)

# Word cost of a domain term: low enough to beat any split of the same characters.
TERM_COST = -3000
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc]+$")
_KANJI = re.compile(r"^[\u4e00-\u9fff々]+$")
# mecab-dict-index calls exit() on fatal errors: run it in a child so it cannot end the caller.
_BUILD_SCRIPT = "import sys, fugashi; fugashi.build_dictionary(sys.argv[1])"


def read_context_ids(path: Path) -> dict[str, int]:
    """Parse a ``left-id.def`` / ``right-id.def`` file: feature string → context id."""
    ids: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        number, _, feature = line.partition(" ")
        if feature:
            ids[feature] = int(number)
    return ids


def _goshu(term: Term) -> str:
    if term.kind in ("product", "plan", "competitor"):
        return "固"
    if _KATAKANA.match(term.surface):
        return "外"
    if _KANJI.match(term.surface):
        return "漢"
    return "混"


def _context_key(term: Term) -> str:
    pos = "名詞,固有名詞,一般,*" if term.kind in ("product", "plan", "competitor") else "名詞,普通名詞,一般,*"
    return f"{pos},*,*,*,*,{_goshu(term)}"


def csv_row(term: Term, left_ids: dict[str, int], right_ids: dict[str, int]) -> list[str]:
    """One user-dictionary line: surface, left id, right id, cost, then unidic's 26 features."""
    key = _context_key(term)
    pos = key.split(",")[:4]
    r = term.reading
    features = [
        *pos, "*", "*",                          # pos1-4, cType, cForm
        r, term.lemma, term.surface, r,          # lForm, lemma, orth, pron
        term.surface, r, _goshu(term),           # orthBase, pronBase, goshu
        "*", "*", "*", "*",                      # iType, iForm, fType, fForm
        r, r, r, r,                              # kana, kanaBase, form, formBase
        "*", "*", "*", "*", "*",                 # iConType, fConType, aType, aConType, aModType
    ]  # fmt: skip
    return [term.surface, str(left_ids[key]), str(right_ids[key]), str(TERM_COST), *features]


def terms_needing_entries(terms: Iterable[Term]) -> list[Term]:
    """The terms that the system dictionary alone does not keep as one token with the term's lemma."""
    tagger = create_tagger()
    needed = []
    for term in terms:
        nodes = tagger(term.surface)
        if len(nodes) > 1 or normal_form(nodes[0].feature, term.surface) != term.lemma:
            needed.append(term)
        else:
            logger.debug("%s is already one token in the system dictionary", term.surface)
    return needed


def build_user_dictionary(terms_path: str | Path, out_path: str | Path) -> Path:
    """Compile ``terms_path`` (domain_terms.tsv) into the MeCab user dictionary ``out_path``.

    The file is replaced atomically; raises ``RuntimeError`` if mecab-dict-index fails.
    """
    out = Path(out_path)
    dicdir = system_dicdir()
    left_ids = read_context_ids(dicdir / "left-id.def")
    right_ids = read_context_ids(dicdir / "right-id.def")
    terms = terms_needing_entries(load_terms(terms_path))
    if not terms:
        raise ValueError(f"{terms_path}: no term needs a user-dictionary entry")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voc-userdic-") as tmp:
        csv_path = Path(tmp) / "user.csv"
        tmp_dic = Path(tmp) / "user.dic"
        with csv_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for term in terms:
                writer.writerow(csv_row(term, left_ids, right_ids))
        command = ["mecab-dict-index", "-d", str(dicdir), "-u", str(tmp_dic), "-f", "utf8", "-t", "utf8"]
        args = shlex.join([*command, str(csv_path)])
        proc = subprocess.run(
            [sys.executable, "-c", _BUILD_SCRIPT, args], capture_output=True, text=True, check=False
        )
        logger.debug("mecab-dict-index output: %s %s", proc.stdout, proc.stderr)
        if proc.returncode != 0 or not tmp_dic.is_file():
            raise RuntimeError(f"building the user dictionary failed: {proc.stderr.strip()[-2000:]}")
        # Same filesystem is not guaranteed for /tmp: copy next to the target, then rename.
        staged = out.with_name(out.name + ".tmp")
        staged.write_bytes(tmp_dic.read_bytes())
        staged.replace(out)
    logger.info("built user dictionary %s with %d terms", out, len(terms))
    return out
