"""Kana readings of Japanese text: what was *said*, whichever characters Whisper chose to write.

Whisper writes homophones for words it is unsure of (価値 → 勝ち, 解約 → 改訳, 値上げ → 寝上げ) and
switches freely between kanji, hiragana and katakana (下さい / ください). Read as katakana the pairs are
equal or nearly so, so character n-grams of the reading survive the misspelling where n-grams of the
written text do not. Unknown words (no reading in UniDic: MNP, brand names) keep their NFKC surface,
with hiragana turned into katakana; punctuation and spaces are dropped (Whisper's are unreliable).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from voc.nlp.dictionary import create_tagger

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}
_SKIPPED_POS = frozenset({"補助記号", "空白"})


def to_katakana(text: str) -> str:
    return text.translate(_HIRAGANA_TO_KATAKANA)


class KanaReader:
    """``reader(text)`` → the katakana reading of ``text``; the tagger is created on first use.

    Parameters
    ----------
    user_dic:
        Optional compiled user dictionary (domain terms read as written there).
    """

    _tagger: Any = None

    def __init__(self, user_dic: str | Path | None = None) -> None:
        self.user_dic = user_dic

    def __getstate__(self) -> dict[str, Any]:
        # A fugashi Tagger cannot be pickled; the next call creates a new one.
        return {"user_dic": self.user_dic}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.user_dic = state["user_dic"]

    def __call__(self, text: str) -> str:
        if self._tagger is None:
            self._tagger = create_tagger(self.user_dic)
        parts: list[str] = []
        for node in self._tagger(unicodedata.normalize("NFKC", text)):
            feature = node.feature
            if feature.pos1 in _SKIPPED_POS:
                continue
            kana = feature.kana
            parts.append(str(kana) if kana and kana != "*" else to_katakana(str(node.surface)))
        return "".join(parts)
