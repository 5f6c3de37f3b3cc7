"""``voc bench api`` runs end to end on a small scale (the numbers themselves go to docs/BENCHMARKS.md)."""

from __future__ import annotations

from voc.bench.api import run_api_bench


def test_api_bench_runs_and_reports_a_table() -> None:
    result = run_api_bench(
        n_calls=20,
        n_customers=30,
        segments_per_call=3,
        concurrency=(1, 4),
        requests=50,
        duration_s=20,
        workers=0,
        serving_processes=1,
    )
    assert [level.concurrency for level in result.levels] == [1, 4]
    assert result.requests == 100
    assert all(e.errors == 0 and e.latencies_ms for level in result.levels for e in level.endpoints)
    assert result.at_risk > 0  # the seeded signals put customers on the list
    table = result.markdown()
    assert "| GET /api/v1/at-risk?limit=50 | 4 |" in table and "p99 ms" in table
    # What the service and the clients each cost is reported next to the latencies (Linux /proc).
    assert "CPU s serving" in table and all(level.cpu.serving > 0 for level in result.levels)
    assert all(level.cpu.generator > 0 for level in result.levels)
    assert result.serving_nice and f"serving processes {min(result.serving_nice)}" in table
    # How the clients' connections spread over the serving processes (one here), from /proc.
    assert [len(level.connections) for level in result.levels] == [1, 1]
    assert "Keep-alive connections per serving process" in table
    levels = result.as_dict()["levels"]
    assert [set(level["endpoints"]) for level in levels] == [{e.name for e in result.levels[0].endpoints}] * 2
