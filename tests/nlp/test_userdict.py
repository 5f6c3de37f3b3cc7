from __future__ import annotations

from pathlib import Path

from voc.nlp.assets import DOMAIN_TERMS_PATH
from voc.nlp.dictionary import create_tagger, system_dicdir
from voc.nlp.userdict import build_user_dictionary, csv_row, read_context_ids
from voc.nlp.vocabulary import Term, load_terms


def _surfaces(user_dic: Path | None, text: str) -> list[str]:
    return [str(n.surface) for n in create_tagger(user_dic)(text)]


def test_system_dictionary_alone_splits_domain_terms() -> None:
    assert len(_surfaces(None, "コスパが悪い")) > 3  # コ + スパ (or コス + パ)
    assert _surfaces(None, "二重請求")[:2] == ["二", "重"]


def test_user_dictionary_keeps_domain_terms_whole(user_dic: Path) -> None:
    assert _surfaces(user_dic, "コスパが悪い") == ["コスパ", "が", "悪い"]
    assert _surfaces(user_dic, "二重請求されました")[0] == "二重請求"
    for term in load_terms(DOMAIN_TERMS_PATH):
        assert _surfaces(user_dic, f"この{term.surface}です")[1] == term.surface


def test_existing_analyses_are_untouched(user_dic: Path) -> None:
    # 乗り換え is already a verb stem in unidic-lite: it must stay one for 乗り換えたい (desire).
    nodes = list(create_tagger(user_dic)("格安SIMに乗り換えたい"))
    assert [str(n.surface) for n in nodes] == ["格安SIM", "に", "乗り換え", "たい"]
    assert nodes[2].feature.pos1 == "動詞"


def test_context_ids_come_from_the_system_dictionary() -> None:
    left = read_context_ids(system_dicdir() / "left-id.def")
    right = read_context_ids(system_dicdir() / "right-id.def")
    row = csv_row(Term("コスパ", "コスパ", "slang", "コスパ"), left, right)
    assert row[1] == str(left["名詞,普通名詞,一般,*,*,*,*,*,外"])
    assert row[4:7] == ["名詞", "普通名詞", "一般"]
    assert len(row) == 4 + 26  # unidic-lite's 26 features
    proper = csv_row(Term("ソラテル", "ソラテル", "competitor", "ソラテル"), left, right)
    assert proper[4:6] == ["名詞", "固有名詞"]


def test_rebuild_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "user.dic"
    assert build_user_dictionary(DOMAIN_TERMS_PATH, out) == out
    first = out.read_bytes()
    build_user_dictionary(DOMAIN_TERMS_PATH, out)
    assert out.read_bytes() == first
    assert not list(out.parent.glob("*.tmp"))
