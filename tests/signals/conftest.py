"""Signal fixtures: the NLP user dictionary (built once per session) and a tokenizer on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.nlp.assets import DOMAIN_TERMS_PATH, POLARITY_PATH
from voc.nlp.sentiment import Lexicon, load_lexicon
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.userdict import build_user_dictionary
from voc.nlp.vocabulary import load_terms
from voc.settings import Settings
from voc.signals.artefact import DETECTOR_FILE, load_detector
from voc.signals.detector import SignalDetector
from voc.signals.features import UtteranceAnalyzer
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


@pytest.fixture(scope="session")
def detector() -> SignalDetector:
    """The shipped detector as ``voc models build`` trained it (``make test`` builds it first)."""
    return load_detector(Settings().signals.model_dir / DETECTOR_FILE)


@pytest.fixture(scope="session")
def analyzer(tok: JapaneseTokenizer, lexicon: SignalLexicon) -> UtteranceAnalyzer:
    return UtteranceAnalyzer(tok, lexicon)


@pytest.fixture(scope="session")
def sentiment_lexicon() -> Lexicon:
    return load_lexicon(POLARITY_PATH)
