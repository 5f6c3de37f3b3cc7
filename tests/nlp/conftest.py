"""Shared NLP fixtures: the user dictionary is built once per session from the committed term list."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.nlp.assets import DOMAIN_TERMS_PATH, POLARITY_PATH
from voc.nlp.sentiment import Lexicon, load_lexicon
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.userdict import build_user_dictionary
from voc.nlp.vocabulary import load_terms


@pytest.fixture(scope="session")
def user_dic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_user_dictionary(DOMAIN_TERMS_PATH, tmp_path_factory.mktemp("nlp") / "user.dic")


@pytest.fixture(scope="session")
def tok(user_dic: Path) -> JapaneseTokenizer:
    return JapaneseTokenizer(user_dic=user_dic)


@pytest.fixture(scope="session")
def lexicon() -> Lexicon:
    competitors = [t.surface for t in load_terms(DOMAIN_TERMS_PATH) if t.kind == "competitor"]
    return load_lexicon(POLARITY_PATH, rivals=competitors)
