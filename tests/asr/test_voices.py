"""Two voices in a mono mix: speech islands clustered by timbre, or nothing when it is not clearly two."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.asr.conftest import fixture_path
from voc.asr.voices import find_voices
from voc.intake import decode_file

pytestmark = pytest.mark.slow


def test_the_two_parties_of_a_mono_call_are_two_voices() -> None:
    samples = decode_file(fixture_path("mono_call.flac")).channels[0]
    voices = find_voices(samples, 16000)
    assert voices is not None and voices.separation >= 0.35
    turns = json.loads(fixture_path("mono_call.json").read_text(encoding="utf-8"))["turns"]
    by_voice: dict[int, set[str]] = {}
    for (start, end), voice in zip(voices.islands, voices.voices, strict=True):
        turn = max(turns, key=lambda t: min(end, t["end"]) - max(start, t["start"]))
        by_voice.setdefault(voice, set()).add(turn["speaker"])
    assert sorted(by_voice.values(), key=sorted) == [{"customer"}, {"operator"}]  # one party per voice
    middle = (voices.islands[0][0] + voices.islands[0][1]) / 2
    assert voices.voice_at(middle) == voices.voices[0]
    assert voices.voice_at(voices.islands[-1][1] + 5.0) is None  # far from any speech


def test_one_voice_or_no_speech_is_not_split_in_two() -> None:
    stereo = decode_file(fixture_path("stereo_call.flac")).channels
    assert find_voices(stereo[0], 16000) is None  # the operator alone
    assert find_voices(np.zeros(16000 * 5, dtype=np.float32), 16000) is None
