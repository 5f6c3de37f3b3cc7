"""The synthetic utterances of the topic tests behave as documented."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from tests.topics.synthetic import EMERGING_THEME, STABLE_THEMES, generate_utterances


def test_utterances_vary_and_the_new_theme_is_recent() -> None:
    corpus = generate_utterances(seed=3)
    assert len(corpus) >= 60
    texts_per_theme = Counter(u.theme for u in {(u.theme, u.text): u for u in corpus}.values())
    assert all(texts_per_theme[t] >= 20 for t in STABLE_THEMES)  # many distinct wordings per theme
    last = max(u.timestamp for u in corpus)
    first_new = min(u.timestamp for u in corpus if u.theme == EMERGING_THEME)
    assert last - first_new <= timedelta(weeks=2)
    assert last - min(u.timestamp for u in corpus) >= timedelta(weeks=11)
    assert generate_utterances(seed=3) == corpus
