"""The values the signal stages take (``voc.assembly.signal_params`` builds them from the settings)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignalParams:
    """Thresholds for the customer-level flags and scores.

    A heavy user (for ``cost_performance_gap``) has a usage share at or above ``high_usage_absolute`` or
    usage above the ``high_usage_percentile``, whichever rule includes more customers of the base
    (``voc.signals.flags.compute_usage_stats``); ``high_usage_absolute=None`` uses the percentile alone.
    """

    high_usage_percentile: float = 75.0
    high_usage_absolute: float | None = 0.7
    low_usage_percentile: float = 25.0
    recency_half_life_days: float = 30.0
    min_feedback_labels: int = 30
