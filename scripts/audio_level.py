"""Loudness of generated speech, shared by scripts/make_examples.py and scripts/make_bench_calls.py."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

PEAK = 0.9  # headroom below full scale, as a recorder leaves it


def level(audio: npt.NDArray[np.float32], rms: float) -> npt.NDArray[np.float32]:
    """Scale to a target RMS, capped so the peak stays below PEAK."""
    cur = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    gain = rms / cur if cur > 0 else 1.0
    peak = float(np.max(np.abs(audio))) * gain
    if peak > PEAK:
        gain *= PEAK / peak
    return (audio * gain).astype(np.float32)
