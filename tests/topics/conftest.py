"""Fixtures for the topic tests: a tokenizer and the synthetic utterance corpus.

The topic code takes already-tokenized documents. We use the project's ``JapaneseTokenizer`` (with the
domain user dictionary, as in production) when it is importable and works; otherwise a tiny fugashi-based
stand-in with the same token conventions (lemmas, compound nouns joined, negation fused as ``X_NEG``,
particles, fillers and redaction placeholders dropped).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.topics.synthetic import Utterance, generate_utterances
from voc.topics.model import TopicModel

Tokenize = Callable[[str], list[str]]

_CONTENT_POS = {"名詞", "動詞", "形容詞", "形状詞"}
_SKIP_POS2 = {"数詞", "助数詞"}
# Light verbs, politeness and formal nouns carry no topic (the real tokenizer has a reviewed list too).
_SKIP_LEMMAS = {
    "為る",
    "居る",
    "有る",
    "成る",
    "出来る",
    "願う",
    "済む",
    "下さる",
    "頂く",
    "貰う",
    "来る",
    "行く",
    "仕舞う",
    "見る",
    "事",
    "方",
    "の",
    "為",
    "所",
    "物",
    "今",
}
_NEG_AUX = {"ない", "ず", "ぬ", "無い"}
_PLACEHOLDER = re.compile(r"［[^［］]{1,20}］")  # voc.redaction writes ［電話番号］, ［氏名］ …


def _fallback_tokenizer() -> Tokenize:
    import fugashi
    import unidic_lite

    tagger = fugashi.Tagger(f'-d "{unidic_lite.DICDIR}"')

    def tokenize(text: str) -> list[str]:
        out: list[str] = []
        prev_noun = False
        neg_target = False  # the last content token is still in the same phrase (only auxiliaries since)
        for word in tagger(_PLACEHOLDER.sub("、", text)):
            f = word.feature
            pos1, pos2 = f.pos1, f.pos2
            lemma = (f.lemma or word.surface).split("-")[0]
            if (pos1 == "助動詞" or (pos1 == "形容詞" and pos2 == "非自立可能")) and lemma in _NEG_AUX:
                if neg_target and not out[-1].endswith("_NEG"):
                    out[-1] += "_NEG"
                prev_noun = False
                continue
            if pos1 not in _CONTENT_POS or pos2 in _SKIP_POS2 or lemma in _SKIP_LEMMAS:
                prev_noun = False
                if pos1 not in {"助動詞", "動詞"}:
                    neg_target = False
                continue
            is_noun = pos1 == "名詞"
            if is_noun and prev_noun:
                out[-1] += lemma  # compound noun: 住所 + 変更 → 住所変更
            else:
                out.append(lemma)
            prev_noun = is_noun
            neg_target = True
        return out

    return tokenize


def _project_tokenizer(user_dic: Path) -> Tokenize | None:
    try:
        from voc.nlp.tokenizer import JapaneseTokenizer  # type: ignore[import-not-found, unused-ignore]
    except Exception:
        return None
    try:
        tok = JapaneseTokenizer(user_dic=user_dic)
        sample = tok("料金が高いので解約したいです。")
        if not isinstance(sample, list) or not sample:
            return None
    except Exception:
        return None

    def tokenize(text: str) -> list[str]:
        return [str(t) for t in tok(text)]

    return tokenize


@pytest.fixture(scope="session")
def tokenize(tmp_path_factory: pytest.TempPathFactory) -> Tokenize:
    # VOC_TEST_TOPICS_TOKENIZER=fugashi checks the topic code against the stand-in tokenizer too.
    if os.environ.get("VOC_TEST_TOPICS_TOKENIZER") == "fugashi":
        return _fallback_tokenizer()
    from voc.nlp.assets import DOMAIN_TERMS_PATH
    from voc.nlp.userdict import build_user_dictionary

    user_dic = build_user_dictionary(DOMAIN_TERMS_PATH, tmp_path_factory.mktemp("topics-nlp") / "user.dic")
    return _project_tokenizer(user_dic) or _fallback_tokenizer()


@pytest.fixture(scope="session")
def utterances() -> list[Utterance]:
    return generate_utterances(seed=7)


@pytest.fixture(scope="session")
def utterance_docs(utterances: list[Utterance], tokenize: Tokenize) -> list[list[str]]:
    return [tokenize(u.text) for u in utterances]


@pytest.fixture(scope="session")
def fitted(utterance_docs: list[list[str]]) -> TopicModel:
    return TopicModel(random_state=0).fit(utterance_docs)
