"""Decode untrusted media to 16 kHz float32 per channel, in a child process with a time limit.

FFmpeg can segfault on some damaged files or spin on others, so decoding runs in a fresh interpreter
(``_child.py``, started with ``subprocess``: nothing is forked from a process holding models or threads).
The samples come back through a ``.npy`` file in a private temporary directory, which costs one disk write
and read instead of pickling hundreds of megabytes through a pipe.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from voc.intake.errors import DECODE_ERROR_KINDS, DecodedAudio, DecodeError, DecodeErrorKind
from voc.intake.sniff import SNIFF_BYTES, sniff, wav_claim

__all__ = ["DEFAULT_MAX_DURATION_S", "DEFAULT_TIMEOUT_S", "decode_file"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 300.0
DEFAULT_MAX_DURATION_S = 4 * 3600.0
_CHILD_SCRIPT = Path(__file__).with_name("_child.py")
# Less than this share of the audio a header declares means the file was cut off.
TRUNCATED_FRACTION = 0.9


def _child_command(src: Path, out: Path, max_duration_s: float, demuxer: str | None) -> list[str]:
    # -I: isolated mode, so the script's own directory (voc/intake) does not shadow stdlib modules.
    return [sys.executable, "-I", str(_CHILD_SCRIPT), str(src), str(out), repr(max_duration_s), demuxer or ""]


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _report(proc: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    stderr_tail = proc.stderr.decode("utf-8", "replace").strip()[-500:]
    if proc.returncode < 0:
        raise DecodeError("decoder crashed", f"the decoder was killed by {_signal_name(proc.returncode)}")
    lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        report: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise DecodeError(
            "decoder crashed",
            f"the decoder exited with status {proc.returncode} without a result: {stderr_tail}",
        ) from None
    if stderr_tail:
        logger.debug("decoder stderr: %s", stderr_tail)
    return report


def decode_file(
    path: str | Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
) -> DecodedAudio:
    """Decode any audio file PyAV can read to ``DecodedAudio`` (16 kHz, float32, shape (channels, samples)).

    Raises :class:`DecodeError` with ``kind`` "not audio", "truncated", "empty", "too long", "timeout" or
    "decoder crashed"; ``FileNotFoundError`` if there is no such file.
    """
    src = Path(path)
    size = src.stat().st_size
    if size == 0:
        raise DecodeError("empty", "the file is empty (0 bytes)")
    with src.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    sniffed = sniff(head)
    if sniffed.not_audio is not None:
        raise DecodeError("not audio", sniffed.not_audio)
    claim = wav_claim(head)
    if claim is not None and claim.byte_rate > 0:
        present = max(0, size - claim.data_offset)
        if present < claim.data_bytes * TRUNCATED_FRACTION - claim.byte_rate:
            raise DecodeError(
                "truncated",
                f"the WAV header claims {claim.claimed_s:.1f} s of audio but the file holds "
                f"{present / claim.byte_rate:.1f} s",
            )

    with tempfile.TemporaryDirectory(prefix="voc-decode-") as tmp:
        out = Path(tmp) / "audio.npy"
        command = _child_command(src.resolve(), out, max_duration_s, sniffed.demuxer)
        try:
            # On timeout subprocess.run kills the child (SIGKILL) and reaps it before raising.
            proc = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            raise DecodeError("timeout", f"decoding took longer than {timeout_s:g} s") from None
        report = _report(proc)
        if not report.get("ok"):
            kind = str(report.get("kind"))
            if kind not in DECODE_ERROR_KINDS:
                raise DecodeError("decoder crashed", f"unexpected decoder report {report!r}")
            known: DecodeErrorKind = kind  # type: ignore[assignment]
            raise DecodeError(known, str(report.get("message", "")))
        samples = np.load(out, allow_pickle=False)

    sample_rate = int(report["sample_rate"])
    return DecodedAudio(
        channels=samples,
        sample_rate=sample_rate,
        duration_s=samples.shape[1] / sample_rate,
        source_format=str(report.get("source_format", "")),
        source_sample_rate=int(report.get("source_sample_rate", 0)),
    )
