from __future__ import annotations

import numpy as np
import pytest

from voc.asr.channels import split_channels
from voc.asr.options import ChannelLayout
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


def test_units_pack_chunks_up_to_the_speech_limit_and_map_times_back() -> None:
    sr = 16000
    chunks = [(1 * sr, 3 * sr), (10 * sr, 14 * sr), (20 * sr, 30 * sr), (40 * sr, 41 * sr)]
    units = plan_units(0, "operator", chunks, max_unit_speech_s=8.0, sample_rate=sr)
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
