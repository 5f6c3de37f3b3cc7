from __future__ import annotations

import pytest

from voc.nlp.assets import DOMAIN_TERMS_PATH
from voc.nlp.vocabulary import Term, hotwords, load_terms, parse_terms

REQUIRED = [
    "コスパ", "二重請求", "料金プラン", "通信速度", "費用対効果", "解約金", "乗り換え", "他社", "格安SIM",
    "サポートセンター", "ひかりネクスト", "スマートプラン", "プレミアムプラン",
]  # fmt: skip


def test_committed_list_has_the_domain_terms() -> None:
    terms = {t.surface: t for t in load_terms(DOMAIN_TERMS_PATH)}
    assert set(REQUIRED) <= set(terms)
    assert {t.kind for t in terms.values()} == {"product", "plan", "competitor", "slang", "term"}
    assert terms["コスパ"].reading == "コスパ"
    assert terms["二重請求"].lemma == "二重請求"  # empty lemma column falls back to the surface


def test_hotwords_put_names_first_and_stay_short() -> None:
    terms = load_terms(DOMAIN_TERMS_PATH)
    words = hotwords(terms, max_chars=60)
    assert len(words) <= 60
    first = words.split("、")[:4]
    names = {t.surface for t in terms if t.kind in ("product", "competitor")}
    assert set(first) <= names
    assert "コスパ" in hotwords(terms, max_chars=1000)


def test_hotwords_never_cut_a_term() -> None:
    terms = [Term("ミライモバイル", "ミライモバイル", "product", "ミライモバイル")]
    assert hotwords(terms, max_chars=5) == ""


@pytest.mark.parametrize(
    "line",
    [
        "コスパ\tkosupa\tslang\t",  # reading not katakana
        "コスパ\tコスパ\tbrand\t",  # unknown kind
        "ｺｽﾊﾟ\tコスパ\tslang\t",  # not NFKC
        "コス,パ\tコスパ\tslang\t",  # comma breaks the MeCab CSV
    ],
)
def test_bad_rows_are_rejected(line: str) -> None:
    with pytest.raises(ValueError):
        parse_terms([line])


def test_duplicates_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        parse_terms(["コスパ\tコスパ\tslang", "コスパ\tコスパ\tslang"])
