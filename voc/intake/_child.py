"""Child-process decoder, run as a script: ``python -I _child.py SRC OUT.npy MAX_DURATION_S [DEMUXER]``,
or ``python -I _child.py --serve`` to decode one request per stdin line (a JSON list of those arguments).

Self-contained on purpose (imports only numpy and PyAV, never ``voc``): it runs in a fresh interpreter so
that a crash or hang inside FFmpeg cannot take the calling worker down. It writes the samples, float32
(n_channels, n_samples) at 16 kHz, to OUT.npy and prints exactly one JSON line on stdout:
``{"ok": true, ...metadata}`` or ``{"ok": false, "kind": ..., "message": ...}``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

TARGET_RATE = 16000
# No real codec stores a second of audio in fewer bytes than this (FLAC of digital silence needs ~30 B/s);
# a header that claims more audio than its file could hold is lying or cut short.
MIN_BYTES_PER_SECOND = 8
# Demuxers whose header states the exact length, so a shortfall in decoded audio means a cut-off file.
# Others (MP3 and ADTS without an index) only estimate it from the bitrate.
EXACT_LENGTH_DEMUXERS = ("wav", "flac", "aiff", "caf", "w64")


class Failure(Exception):  # noqa: N818 - a report, not a programming error
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class _Unnamed:
    """A binary file without a ``name`` attribute (PyAV passes a file object's name on to the probe)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh

    def read(self, n: int = -1) -> bytes:
        data: bytes = self._fh.read(n)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        pos: int = self._fh.seek(offset, whence)
        return pos

    def tell(self) -> int:
        pos: int = self._fh.tell()
        return pos


def _claimed_duration(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None and stream.duration > 0:
        return float(stream.duration * stream.time_base)
    if container.duration is not None and container.duration > 0:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE
    return None


def decode(src: str, out_path: str, max_duration_s: float, demuxer: str | None) -> dict[str, Any]:
    # Imported in the decoding child only: PyAV loads FFmpeg's libraries, which the parent never needs.
    import av
    import numpy as np

    size = Path(src).stat().st_size
    with Path(src).open("rb") as raw:
        # An unnamed file object (not the path) keeps FFmpeg's probe from scoring the file name's extension.
        fh = _Unnamed(raw)
        try:
            container = av.open(fh, mode="r", format=demuxer)
        except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc:
            if demuxer is None:
                raise Failure("not audio", f"no known audio or container format ({exc})") from exc
            try:
                fh.seek(0)
                container = av.open(fh, mode="r")
            except (av.error.FFmpegError, ValueError, UnicodeDecodeError) as exc2:
                raise Failure("not audio", f"looks like {demuxer} but cannot be read ({exc2})") from exc2
        with container:
            if not container.streams.audio:
                raise Failure("not audio", f"the {container.format.name} file has no audio stream")
            stream = container.streams.audio[0]
            source_rate = int(stream.sample_rate or stream.codec_context.sample_rate or 0)
            claimed = _claimed_duration(container, stream)
            if claimed is not None:
                if claimed > max_duration_s:
                    raise Failure("too long", f"too long: {claimed:.0f} s > limit {max_duration_s:.0f} s")
                if claimed > size / MIN_BYTES_PER_SECOND + 1.0:
                    raise Failure(
                        "truncated",
                        f"the header claims {claimed:.0f} s of audio but the file has only {size} bytes",
                    )
            resampler = av.AudioResampler(format="fltp", layout=None, rate=TARGET_RATE)
            limit = int(max_duration_s * TARGET_RATE)
            blocks: list[Any] = []
            n_samples = 0
            error: str | None = None

            def take(frames: list[Any]) -> None:
                nonlocal n_samples
                for frame in frames:
                    block = frame.to_ndarray()
                    blocks.append(block)
                    n_samples += block.shape[1]
                if n_samples > limit:
                    raise Failure("too long", f"too long: > {max_duration_s:.0f} s of audio (the limit)")

            try:
                for frame in container.decode(stream):
                    take(resampler.resample(frame))
                take(resampler.resample(None))
            except (av.error.FFmpegError, EOFError, ValueError) as exc:
                error = str(exc)
            if n_samples == 0:
                if error is not None or demuxer is None:
                    # Without a known signature, "opened but nothing decodes" means FFmpeg's probe guessed
                    # a format for arbitrary bytes.
                    detail = f" ({error})" if error else ""
                    name = container.format.name
                    raise Failure("not audio", f"no decodable audio in the {name} file{detail}")
                raise Failure("empty", f"the {container.format.name} file contains no audio samples")
            decoded_s = n_samples / TARGET_RATE
            if error is not None:
                raise Failure("truncated", f"the audio breaks off after {decoded_s:.1f} s ({error})")
            if claimed is not None:
                exact = container.format.name in EXACT_LENGTH_DEMUXERS
                expected = claimed * (0.9 if exact else 0.5) - 0.5
                if decoded_s < expected:
                    raise Failure(
                        "truncated",
                        f"the header claims {claimed:.1f} s but only {decoded_s:.1f} s of audio is present",
                    )
            n_channels = max(block.shape[0] for block in blocks)
            if any(block.shape[0] != n_channels for block in blocks):
                raise Failure("not audio", "the channel count changes mid-stream")
            samples = np.concatenate(blocks, axis=1).astype(np.float32, copy=False)
            np.save(out_path, samples, allow_pickle=False)
            return {
                "ok": True,
                "sample_rate": TARGET_RATE,
                "n_channels": int(samples.shape[0]),
                "n_samples": int(samples.shape[1]),
                "source_format": str(container.format.name),
                "source_sample_rate": source_rate,
            }


def handle(args: list[str]) -> dict[str, Any]:
    src, out_path, max_duration = args[0], args[1], float(args[2])
    demuxer = args[3] if len(args) > 3 and args[3] else None
    try:
        return decode(src, out_path, max_duration, demuxer)
    except Failure as failure:
        return {"ok": False, "kind": failure.kind, "message": failure.message}
    except MemoryError:
        return {"ok": False, "kind": "too long", "message": "too long: the audio does not fit in memory"}


def main(argv: list[str]) -> int:
    if argv[1:] == ["--serve"]:
        # Warm mode: one JSON list of arguments per stdin line, one report per stdout line, until EOF.
        import av  # noqa: F401 - imported once up front, which is the point of staying warm
        import numpy  # noqa: F401

        for line in sys.stdin:
            sys.stdout.write(json.dumps(handle(json.loads(line))) + "\n")
            sys.stdout.flush()
        return 0
    sys.stdout.write(json.dumps(handle(argv[1:])) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
