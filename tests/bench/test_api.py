"""``voc bench api`` runs end to end on a small scale (the numbers themselves go to docs/BENCHMARKS.md)."""

from __future__ import annotations

from voc.bench.api import run_api_bench


def test_api_bench_runs_and_reports_a_table() -> None:
    result = run_api_bench(
        n_calls=10, segments_per_call=3, concurrency=5, requests=60, duration_s=20, busy_workers=1
    )
    assert result.requests == 60
    assert all(e.errors == 0 and e.latencies_ms for e in result.endpoints)
    table = result.markdown()
    assert "| GET /api/v1/calls/{id} |" in table and "p99 ms" in table
    endpoints = result.as_dict()["endpoints"]
    assert isinstance(endpoints, dict) and set(endpoints) == {e.name for e in result.endpoints}
