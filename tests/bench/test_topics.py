"""The topic benchmark's generated documents behave as documented, and the benchmark reports its numbers."""

from __future__ import annotations

from voc.bench.topics import format_markdown, run_topics_bench
from voc.bench.topics_corpus import generate_token_docs


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
