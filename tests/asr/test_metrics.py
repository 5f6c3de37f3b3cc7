from __future__ import annotations

from voc.asr.metrics import merge_intervals, talk_metrics
from voc.asr.transcript import Speaker, TranscriptSegment


def seg(speaker: str, start: float, end: float, text: str) -> TranscriptSegment:
    return TranscriptSegment(Speaker(speaker), start, end, text, -0.2, 0.01)


def test_merge_intervals() -> None:
    assert merge_intervals([(5, 6), (0, 2), (1, 3), (3, 4)]) == [(0, 3), (3, 4), (5, 6)] or merge_intervals(
        [(5, 6), (0, 2), (1, 3), (3, 4)]
    ) == [(0, 4), (5, 6)]


def test_metrics_on_a_small_call() -> None:
    segments = [
        seg("operator", 1.0, 4.0, "お電話ありがとうございます。"),  # 13 characters
        seg("operator", 3.5, 5.0, "田中です"),  # overlaps its own previous segment
        seg("customer", 4.5, 8.0, "料金が高いです"),  # 0.5 s of overlap with the operator
        seg("operator", 12.0, 14.0, "承知しました"),
    ]
    metrics = talk_metrics(segments, duration_s=20.0)
    assert metrics["talk_time_s"] == {"operator": 6.0, "customer": 3.5, "unknown": 0}
    assert metrics["talk_ratio"] == round(6.0 / 9.5, 3)
    assert metrics["overlap_s"] == 0.5
    # Silences: 0–1, 8–12, 14–20 → the longest is the 6 s at the end.
    assert metrics["longest_silence_s"] == 6.0
    assert metrics["silence_s"] == 11.0
    assert metrics["speech_rate_cps"]["operator"] == round((13 + 4 + 6) / 6.0, 2)
    assert metrics["speech_rate_cps"]["customer"] == round(7 / 3.5, 2)
    assert metrics["speech_rate_cps"]["unknown"] is None


def test_metrics_of_a_silent_call() -> None:
    metrics = talk_metrics([], duration_s=10.0)
    assert metrics["talk_ratio"] is None
    assert metrics["longest_silence_s"] == 10.0
    assert metrics["overlap_s"] == 0
