"""The topic benchmark's corpus generator (``voc bench topics``): tokenized documents with known themes.

Already-tokenized, Japanese-looking documents drawn from ~10 theme vocabularies plus Zipf-distributed noise,
fast enough to build 100 k documents; the themes let the benchmark check that the fit still finds them.
"""

from __future__ import annotations

import numpy as np

_KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
_KANJI = "料金請求通信回線設定方法変更住所名義支払契約解約品質速度電波端末機種画面登録確認対応説明"


def _word(rng: np.random.Generator, alphabet: str, low: int, high: int) -> str:
    n = int(rng.integers(low, high + 1))
    return "".join(alphabet[int(i)] for i in rng.integers(0, len(alphabet), size=n))


def _vocabulary(rng: np.random.Generator, size: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < size:
        w = _word(rng, _KANJI, 2, 3) if rng.random() < 0.5 else _word(rng, _KANA, 3, 5)
        if w not in taken:
            taken.add(w)
            words.append(w)
    return words


def generate_token_docs(
    n_docs: int,
    n_themes: int = 10,
    theme_vocab: int = 60,
    noise_vocab: int = 3000,
    noise_share: float = 0.3,
    min_len: int = 5,
    max_len: int = 20,
    seed: int = 0,
) -> tuple[list[list[str]], list[int]]:
    """Tokenized documents (5–20 tokens) and their theme ids, for the benchmark.

    Each token is drawn from the document's theme vocabulary (Zipf-like weights) with probability
    ``1 - noise_share``, otherwise from a shared noise vocabulary (also Zipf-like), like the everyday words
    that every call contains.
    """
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    vocabs = [np.array(_vocabulary(rng, theme_vocab, taken), dtype=object) for _ in range(n_themes)]
    noise = np.array(_vocabulary(rng, noise_vocab, taken), dtype=object)

    def zipf(n: int) -> np.ndarray:
        w = 1.0 / np.arange(1, n + 1)
        return np.asarray(w / w.sum())

    p_theme, p_noise = zipf(theme_vocab), zipf(noise_vocab)
    themes = rng.integers(0, n_themes, size=n_docs)
    lengths = rng.integers(min_len, max_len + 1, size=n_docs)
    total = int(lengths.sum())
    is_noise = rng.random(total) < noise_share
    theme_idx = rng.choice(theme_vocab, size=total, p=p_theme)
    noise_idx = rng.choice(noise_vocab, size=total, p=p_noise)
    docs: list[list[str]] = []
    pos = 0
    for theme, length in zip(themes.tolist(), lengths.tolist(), strict=True):
        sl = slice(pos, pos + length)
        pos += length
        words = np.where(is_noise[sl], noise[noise_idx[sl]], vocabs[theme][theme_idx[sl]])
        docs.append(words.tolist())
    return docs, themes.tolist()
