from __future__ import annotations

import numpy as np
import pytest

from voc.asr.channels import split_channels
from voc.asr.options import ChannelLayout
from voc.asr.transcript import Speaker
from voc.asr.units import plan_units
from voc.intake import DecodedAudio


def audio(channels: np.ndarray) -> DecodedAudio:
    return DecodedAudio(channels.astype(np.float32), 16000, channels.shape[1] / 16000)


def test_operator_left_and_right() -> None:
    stereo = audio(np.stack([np.full(100, 0.1), np.full(100, 0.2)]))
    layout, channels = split_channels(stereo, ChannelLayout.STEREO_OPERATOR_LEFT)
    assert layout is ChannelLayout.STEREO_OPERATOR_LEFT
    assert [c.speaker for c in channels] == ["operator", "customer"]
    assert [float(c.samples[0]) for c in channels] == pytest.approx([0.1, 0.2])
    layout, channels = split_channels(stereo, ChannelLayout.STEREO_OPERATOR_RIGHT)
    assert layout is ChannelLayout.STEREO_OPERATOR_RIGHT
    assert [c.speaker for c in channels] == ["operator", "customer"]
    assert [float(c.samples[0]) for c in channels] == pytest.approx([0.2, 0.1])


def test_mono_layout_mixes_the_channels() -> None:
    layout, channels = split_channels(
        audio(np.stack([np.full(10, 0.1), np.full(10, 0.3)])), ChannelLayout.MONO
    )
    assert layout is ChannelLayout.MONO
    assert len(channels) == 1
    assert channels[0].speaker == "unknown"
    assert float(channels[0].samples[0]) == pytest.approx(0.2)


def test_stereo_layout_on_one_channel_or_duplicated_channels_falls_back_to_mono() -> None:
    one = audio(np.full((1, 10), 0.1))
    assert split_channels(one, ChannelLayout.STEREO_OPERATOR_LEFT)[0] is ChannelLayout.MONO
    same = audio(np.stack([np.linspace(-1, 1, 50)] * 2))
    assert split_channels(same, ChannelLayout.STEREO_OPERATOR_LEFT)[0] is ChannelLayout.MONO


def test_units_pack_one_channel_up_to_the_speech_limit_and_map_times_back() -> None:
    sr = 16000
    chunks = [(1 * sr, 3 * sr), (10 * sr, 14 * sr), (20 * sr, 30 * sr), (40 * sr, 41 * sr)]
    units = plan_units([chunks], max_unit_speech_s=8.0, sample_rate=sr, interleave=False)
    assert [u.chunks for u in units] == [tuple(chunks[:2]), (chunks[2],), (chunks[3],)]
    first = units[0]
    assert first.speech_s == 6.0
    # 1.0 s into the concatenated audio is 2.0 s on the call's clock; 3.0 s is 1 s into the second chunk.
    assert first.to_call_time(1.0, first.chunk_index(1.0)) == 2.0
    assert first.chunk_index(3.0) == 1
    assert first.to_call_time(3.0, first.chunk_index(3.0)) == 11.0
    # The end of the first chunk belongs to it, not to the next one.
    assert first.chunk_index(2.0, is_end=True) == 0
    assert first.to_call_time(2.0, first.chunk_index(2.0, is_end=True)) == 3.0


def test_interleaved_units_follow_the_conversation_and_split_evenly_for_the_workers() -> None:
    sr = 16000
    operator = [(0, 4 * sr), (10 * sr, 14 * sr)]
    customer = [(5 * sr, 9 * sr), (15 * sr, 19 * sr)]
    units = plan_units([operator, customer], max_unit_speech_s=28.0, sample_rate=sr, min_units=2)
    assert [u.chunks for u in units] == [(operator[0], customer[0]), (operator[1], customer[1])]
    assert [u.channels for u in units] == [(0, 1), (0, 1)]
    assert units[0].speech_s == units[1].speech_s == 8.0


def test_segment_across_chunks_is_divided_at_the_nearest_text_break() -> None:
    from types import SimpleNamespace

    from voc.asr.turns import split_segment

    sr = 16000
    # Operator 10–13 s, customer 20–23 s: concatenated 0–3 s and 3–6 s.
    unit = plan_units([[(10 * sr, 13 * sr)], [(20 * sr, 23 * sr)]], max_unit_speech_s=28.0, sample_rate=sr)[0]
    segment = SimpleNamespace(
        start=0.2,
        end=5.8,
        text="料金が高いです。 解約したいです",
        avg_logprob=-0.3,
        no_speech_prob=0.01,
        words=None,
    )
    pieces = split_segment(segment, unit, [Speaker.OPERATOR, Speaker.CUSTOMER], split_gap_s=1.0)
    assert [(p.speaker, p.text) for p in pieces] == [
        ("operator", "料金が高いです。"),
        ("customer", "解約したいです"),
    ]
    assert (pieces[0].start, pieces[0].end) == (10.2, 13.0)
    assert (pieces[1].start, pieces[1].end) == (20.0, 22.8)
