"""Signal fixtures: the NLP user dictionary (built once per session) and a tokenizer on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.nlp.assets import DOMAIN_TERMS_PATH
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.userdict import build_user_dictionary
from voc.nlp.vocabulary import load_terms
from voc.signals.rules import SignalLexicon


@pytest.fixture(scope="session")
def user_dic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_user_dictionary(DOMAIN_TERMS_PATH, tmp_path_factory.mktemp("signals-nlp") / "user.dic")


@pytest.fixture(scope="session")
def tok(user_dic: Path) -> JapaneseTokenizer:
    return JapaneseTokenizer(user_dic=user_dic)


@pytest.fixture(scope="session")
def lexicon() -> SignalLexicon:
    return SignalLexicon.from_terms(load_terms(DOMAIN_TERMS_PATH))
