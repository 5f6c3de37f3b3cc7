"""The synthetic corpora behave as documented, and the benchmark reports its numbers."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from voc.topics.bench import format_markdown, run_topics_bench
from voc.topics.synthetic import EMERGING_THEME, STABLE_THEMES, generate_token_docs, generate_utterances


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


def test_token_docs_shape() -> None:
    docs, themes = generate_token_docs(500, n_themes=10, seed=1)
    assert len(docs) == len(themes) == 500
    assert all(5 <= len(d) <= 20 for d in docs)
    assert set(themes) == set(range(10))


def test_bench_reports_time_and_memory() -> None:
    (row,) = run_topics_bench(sizes=(1_000,), isolate=False)
    assert row["n_docs"] == 1_000 and row["fit_seconds"] > 0 and row["peak_rss_delta_mib"] >= 0
    assert 3 <= row["n_topics"] <= 15
    table = format_markdown([row])
    assert "| 1,000 |" in table
