"""The text-analysis parts an entry point loads once: tokenizer (with the user dictionary) and lexicon."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from voc.nlp.sentiment import Lexicon, load_lexicon
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.vocabulary import Term, load_terms


@dataclass
class TextToolkit:
    tokenizer: JapaneseTokenizer
    lexicon: Lexicon
    terms: list[Term]

    @classmethod
    def load(cls, domain_terms: Path, polarity: Path, user_dictionary: Path) -> TextToolkit:
        if not user_dictionary.is_file():
            raise FileNotFoundError(
                f"NLP user dictionary missing: {user_dictionary} (VOC_NLP__USER_DICTIONARY); "
                "run `voc models build`"
            )
        terms = load_terms(domain_terms)
        rivals = [t.surface for t in terms if t.kind == "competitor"]
        return cls(
            tokenizer=JapaneseTokenizer(user_dic=user_dictionary),
            lexicon=load_lexicon(polarity, rivals=rivals),
            terms=terms,
        )


class ToolkitLoader:
    """The toolkit, loaded on first use and then kept: a process loads it once, and an API process
    whose routes never tokenize never pays for it. Safe to call from several threads."""

    def __init__(self, domain_terms: Path, polarity: Path, user_dictionary: Path) -> None:
        self.paths = (domain_terms, polarity, user_dictionary)
        self._toolkit: TextToolkit | None = None
        self._lock = threading.Lock()

    def __call__(self) -> TextToolkit:
        with self._lock:
            if self._toolkit is None:
                self._toolkit = TextToolkit.load(*self.paths)
            return self._toolkit
