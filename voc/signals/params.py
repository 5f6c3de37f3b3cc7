"""The values the signal stages take (the entry points build them from ``Settings.signals``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class _SignalSettingsLike(Protocol):
    high_usage_percentile: float
    high_usage_absolute: float | None
    low_usage_percentile: float
    recency_half_life_days: float
    min_feedback_labels: int


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

    @classmethod
    def from_settings(cls, settings: _SignalSettingsLike) -> SignalParams:
        """From ``voc.settings.SignalSettings`` (or anything with the same attributes)."""
        return cls(
            high_usage_percentile=settings.high_usage_percentile,
            high_usage_absolute=settings.high_usage_absolute,
            low_usage_percentile=settings.low_usage_percentile,
            recency_half_life_days=settings.recency_half_life_days,
            min_feedback_labels=settings.min_feedback_labels,
        )
