"""Topic-model benchmark: fit time and peak memory on generated tokenized documents (``voc bench topics``).

Memory is the growth of the process's peak resident set size (``resource.getrusage(RUSAGE_SELF).ru_maxrss``)
across the fit: peak RSS after the fit minus peak RSS just before it (documents already generated). Each size
runs in a fresh spawned process (``isolate=True``) so that an earlier, larger run cannot hide the peak and
the numbers include everything the fit touches (NumPy/SciPy buffers that tracemalloc would partly miss).
Time is wall-clock time of ``TopicModel.fit``, automatic choice of the topic count included.
"""

from __future__ import annotations

import multiprocessing
import platform
import resource
import time
from collections.abc import Sequence
from typing import Any

from voc.bench.topics_corpus import generate_token_docs
from voc.topics.model import TopicModel


def _one_run(n_docs: int, seed: int, n_topics: int | None) -> dict[str, Any]:
    docs, themes = generate_token_docs(n_docs, seed=seed)
    n_tokens = sum(len(d) for d in docs)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    model = TopicModel(n_topics=n_topics, random_state=seed).fit(docs)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Purity against the generator's themes: a quick check that the fast settings still find the themes.
    by_topic: dict[int, dict[int, int]] = {}
    for topic, theme in zip(model.doc_topics_.tolist(), themes, strict=True):
        counts = by_topic.setdefault(topic, {})
        counts[theme] = counts.get(theme, 0) + 1
    purity = sum(max(c.values()) for c in by_topic.values()) / n_docs
    return {
        "n_docs": n_docs,
        "n_tokens": n_tokens,
        "n_terms": len(model.vectorizer_.vocabulary_),
        "n_topics": model.n_topics_,
        "fit_seconds": round(seconds, 2),
        "peak_rss_delta_mib": round(max(after - before, 0) / 1024, 1),  # Linux reports KiB
        "purity": round(purity, 3),
    }


def run_topics_bench(
    sizes: Sequence[int] = (10_000, 100_000),
    seed: int = 0,
    n_topics: int | None = None,
    isolate: bool = True,
) -> list[dict[str, Any]]:
    """One result dict per size: n_docs, n_tokens, n_terms, n_topics (chosen), fit_seconds,
    peak_rss_delta_mib, purity (vs the 10 generated themes), cpu_count."""
    results = []
    for n in sizes:
        if isolate:
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                row = pool.apply(_one_run, (n, seed, n_topics))
        else:
            row = _one_run(n, seed, n_topics)
        row["cpu_count"] = multiprocessing.cpu_count()
        results.append(row)
    return results


def format_markdown(results: Sequence[dict[str, Any]]) -> str:
    """Markdown table for docs/BENCHMARKS.md."""
    lines = [
        f"Topic model fit (TF-IDF → NMF, automatic k), {platform.machine()}, "
        f"{results[0]['cpu_count'] if results else '?'} CPUs; memory = peak RSS growth during the fit.",
        "",
        "| documents | tokens | terms | topics (chosen) | fit time (s) | peak RSS growth (MiB) | purity |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['n_docs']:,} | {r['n_tokens']:,} | {r['n_terms']:,} | {r['n_topics']} | "
            f"{r['fit_seconds']:.2f} | {r['peak_rss_delta_mib']:.1f} | {r['purity']:.3f} |"
        )
    return "\n".join(lines) + "\n"
