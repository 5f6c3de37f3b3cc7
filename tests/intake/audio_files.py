"""Writing small synthetic audio files with PyAV for decode tests."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt


def tones(freqs: list[float], rate: int, seconds: float) -> npt.NDArray[np.float32]:
    """One sine per channel, shape (channels, samples)."""
    t = np.arange(int(rate * seconds)) / rate
    return np.stack([0.3 * np.sin(2 * np.pi * f * t) for f in freqs]).astype(np.float32)


def write_audio(
    path: Path, samples: npt.NDArray[np.float32], rate: int, codec: str, container: str | None = None
) -> Path:
    layout = "mono" if samples.shape[0] == 1 else "stereo"
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format="fltp", layout=layout)
        frame.sample_rate = rate
        resampler = av.AudioResampler(format=stream.format.name, layout=layout, rate=rate)
        for converted in [*resampler.resample(frame), *resampler.resample(None)]:
            out.mux(stream.encode(converted))
        out.mux(stream.encode(None))
    return path


def peak_hz(signal: npt.NDArray[np.float32], rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(signal.size)))
    return float(np.fft.rfftfreq(signal.size, 1 / rate)[int(np.argmax(spectrum))])
