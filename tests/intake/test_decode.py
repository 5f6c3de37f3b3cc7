"""decode_file: every format and rate to 16 kHz float32 per channel; every bad file to its error kind."""

from __future__ import annotations

import shutil
import struct
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.intake.audio_files import peak_hz, tones, write_audio
from voc.intake import DecodedAudio, DecodeError, decode_file
from voc.intake import decode as decode_module

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


def fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {name} not generated yet")
    return path


def decode_error(path: Path, **kwargs: Any) -> DecodeError:
    with pytest.raises(DecodeError) as caught:
        decode_file(path, **kwargs)
    return caught.value


# --- good files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["speech_16k.wav", "speech.mp3", "speech.ogg"])
def test_speech_in_every_format_decodes_to_the_same_16k_mono_audio(name: str) -> None:
    reference = decode_file(fixture("speech_16k.wav"))
    audio = decode_file(fixture(name))
    assert audio.sample_rate == 16000
    assert audio.channels.dtype == np.float32
    assert audio.channels.shape[0] == 1
    assert audio.duration_s == pytest.approx(reference.duration_s, abs=0.1)
    rms = float(np.sqrt(np.mean(audio.channels**2)))
    reference_rms = float(np.sqrt(np.mean(reference.channels**2)))
    assert rms == pytest.approx(reference_rms, rel=0.25)


def test_stereo_call_keeps_both_channels_apart() -> None:
    audio = decode_file(fixture("stereo_call.flac"))
    assert audio.channels.shape[0] == 2
    assert audio.source_format == "flac"
    assert audio.source_sample_rate == 8000
    # The operator speaks first, on the left; the right channel is digital silence meanwhile.
    first_second = audio.channels[:, 16000 : 2 * 16000]
    assert np.abs(first_second[0]).max() > 0.05
    assert np.abs(first_second[1]).max() < 0.01


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
@pytest.mark.parametrize(
    ("codec", "suffix", "container"), [("pcm_s16le", "wav", None), ("flac", "flac", None)]
)
def test_any_sample_rate_is_resampled_to_16k_with_pitch_kept(
    tmp_path: Path, rate: int, codec: str, suffix: str, container: str | None
) -> None:
    path = write_audio(tmp_path / f"tone.{suffix}", tones([440.0, 660.0], rate, 1.0), rate, codec, container)
    audio = decode_file(path)
    assert audio.sample_rate == 16000
    assert audio.channels.shape == (2, pytest.approx(16000, abs=64))
    assert audio.duration_s == pytest.approx(1.0, abs=0.01)
    assert peak_hz(audio.channels[0], 16000) == pytest.approx(440, abs=5)
    assert peak_hz(audio.channels[1], 16000) == pytest.approx(660, abs=5)


@pytest.mark.parametrize(
    ("codec", "name", "container", "rate"),
    [
        ("aac", "tone.m4a", "mp4", 44100),
        ("libopus", "tone.ogg", "ogg", 48000),
        ("libmp3lame", "tone.mp3", None, 44100),
    ],
)
def test_compressed_stereo_formats(
    tmp_path: Path, codec: str, name: str, container: str | None, rate: int
) -> None:
    path = write_audio(tmp_path / name, tones([440.0, 660.0], rate, 2.0), rate, codec, container)
    audio = decode_file(path)
    assert audio.channels.shape[0] == 2
    assert audio.duration_s == pytest.approx(2.0, abs=0.1)
    assert peak_hz(audio.channels[1][8000:24000], 16000) == pytest.approx(660, abs=5)


def test_the_extension_is_not_trusted(tmp_path: Path) -> None:
    m4a = write_audio(tmp_path / "tone.m4a", tones([440.0], 44100, 1.0), 44100, "aac", "mp4")
    misnamed = shutil.copy(m4a, tmp_path / "recording.wav")
    audio = decode_file(misnamed)
    assert audio.source_format.startswith("mov")
    assert audio.duration_s == pytest.approx(1.0, abs=0.1)


def test_a_large_file_comes_back_intact(tmp_path: Path) -> None:
    # 10 minutes of stereo = 19.2 M float32 samples through the child's .npy hand-over.
    rate = 16000
    samples = np.tile(tones([440.0, 660.0], rate, 1.0), (1, 600))
    path = write_audio(tmp_path / "long.flac", samples, rate, "flac")
    audio = decode_file(path)
    assert isinstance(audio, DecodedAudio)
    assert audio.channels.shape == (2, 600 * rate)
    np.testing.assert_allclose(audio.channels[:, :rate], samples[:, :rate], atol=1e-3)


# --- bad files --------------------------------------------------------------------------------------


def test_zero_byte_file_is_empty() -> None:
    error = decode_error(fixture("empty.wav"))
    assert error.kind == "empty"
    assert "0 bytes" in str(error)


def test_header_without_samples_is_empty() -> None:
    assert decode_error(fixture("header_only.wav")).kind == "empty"


def test_png_named_flac_is_not_audio() -> None:
    error = decode_error(fixture("not_audio.flac"))
    assert error.kind == "not audio"
    assert "PNG" in error.message


@pytest.mark.parametrize("content", [b"hello, this is not audio\n" * 10, bytes(range(256)) * 64])
def test_text_and_random_bytes_are_not_audio(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(content)
    assert decode_error(path).kind == "not audio"


def test_cut_off_flac_is_truncated() -> None:
    error = decode_error(fixture("truncated.flac"))
    assert error.kind == "truncated"


def test_wav_header_claiming_far_more_audio_than_the_file_holds_is_truncated(tmp_path: Path) -> None:
    claimed = 3600 * 16000 * 2  # one hour of 16 kHz 16-bit mono
    header = b"RIFF" + struct.pack("<I", 36 + claimed) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", claimed)
    path = tmp_path / "liar.wav"
    path.write_bytes(header + bytes(32000))
    error = decode_error(path)
    assert error.kind == "truncated"
    assert "3600" in error.message


def test_too_long_names_duration_and_limit() -> None:
    error = decode_error(fixture("speech_16k.wav"), max_duration_s=2.0)
    assert error.kind == "too long"
    assert error.message == "too long: 5 s > limit 2 s"


def one_shot_child(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    monkeypatch.setattr(decode_module, "_child_command", lambda *args: [sys.executable, "-c", code])


@pytest.fixture()
def fresh_warm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A private warm child for one test, ended afterwards."""
    child = decode_module._WarmChild()
    monkeypatch.setattr(decode_module, "_warm", child)
    yield
    child.close()


def fresh_warm_child(monkeypatch: pytest.MonkeyPatch, code: str | None) -> None:
    if code is not None:
        monkeypatch.setattr(decode_module, "_server_command", lambda: [sys.executable, "-c", code])


HANG = "import sys, time; sys.stdin.readline(); time.sleep(60)"
SEGFAULT = "import os, signal, sys; sys.stdin.readline(); os.kill(os.getpid(), signal.SIGSEGV)"
SILENT_EXIT = "import sys; sys.stdin.readline(); raise SystemExit(3)"


@pytest.mark.parametrize("warm", [True, False])
def test_hanging_decoder_is_stopped_by_the_time_limit(
    fresh_warm: None, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    fresh_warm_child(monkeypatch, HANG)
    one_shot_child(monkeypatch, "import time; time.sleep(60)")
    started = time.monotonic()
    error = decode_error(fixture("speech_16k.wav"), timeout_s=0.5, warm=warm)
    assert error.kind == "timeout"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("warm", [True, False])
def test_segfaulting_decoder_does_not_take_the_caller_down(
    fresh_warm: None, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    fresh_warm_child(monkeypatch, SEGFAULT)
    one_shot_child(monkeypatch, "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    error = decode_error(fixture("speech_16k.wav"), warm=warm)
    assert error.kind == "decoder crashed"
    assert "SIGSEGV" in error.message


@pytest.mark.parametrize("warm", [True, False])
def test_decoder_dying_without_a_report_is_a_crash(
    fresh_warm: None, monkeypatch: pytest.MonkeyPatch, warm: bool
) -> None:
    fresh_warm_child(monkeypatch, SILENT_EXIT)
    one_shot_child(monkeypatch, "raise SystemExit(3)")
    error = decode_error(fixture("speech_16k.wav"), warm=warm)
    assert error.kind == "decoder crashed"
    assert "status 3" in error.message


def test_a_fresh_child_replaces_a_crashed_one(fresh_warm: None, monkeypatch: pytest.MonkeyPatch) -> None:
    real_command = decode_module._server_command
    fresh_warm_child(monkeypatch, SEGFAULT)
    assert decode_error(fixture("speech_16k.wav")).kind == "decoder crashed"
    monkeypatch.setattr(decode_module, "_server_command", real_command)
    assert decode_file(fixture("speech_16k.wav")).duration_s == pytest.approx(5.13, abs=0.1)


def test_warm_and_one_shot_decoding_agree() -> None:
    warm = decode_file(fixture("stereo_call.flac"))
    again = decode_file(fixture("stereo_call.flac"))
    one_shot = decode_file(fixture("stereo_call.flac"), warm=False)
    np.testing.assert_array_equal(warm.channels, one_shot.channels)
    np.testing.assert_array_equal(warm.channels, again.channels)


def test_missing_file_is_a_plain_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        decode_file(tmp_path / "nope.wav")
