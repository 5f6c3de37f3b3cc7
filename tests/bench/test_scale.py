"""``run_scale_bench`` measures real worker processes; without a model it says it used the fake one."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.bench.scale import run_scale_bench


@pytest.mark.scale
def test_scale_bench_without_a_model_measures_the_fake_processor(tmp_path: Path) -> None:
    result = run_scale_bench(
        tmp_path, model_dir=tmp_path / "no-model", processes=(1, 2), calls=6, cpu_work_s=0.05
    )
    assert [(r.processes, r.done, r.calls) for r in result.runs] == [(1, 6, 6), (2, 6, 6)]
    assert all(r.seconds > 0 and r.calls_per_minute > 0 and r.audio_s_per_s is None for r in result.runs)
    assert result.speedup is not None
    table = result.to_markdown()
    assert "| 2 | 6/6 |" in table and "fake processor" in table and "no ASR model" in table
