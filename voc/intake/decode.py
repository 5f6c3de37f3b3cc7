"""Decode untrusted media to 16 kHz float32 per channel, in a child process with a time limit.

FFmpeg can segfault on some damaged files or spin on others, so decoding runs in a fresh interpreter
(``_child.py``, started with ``subprocess``: nothing is forked from a process holding models or threads).
The samples come back through a ``.npy`` file in a private temporary directory, which costs one disk write
and read instead of pickling hundreds of megabytes through a pipe.

Starting Python and importing PyAV and NumPy takes 0.1–0.5 s, a noticeable share of a short call's
processing, so one child is kept warm per process and serves one file at a time (reports by line over its
stdin/stdout). It is killed on a timeout, replaced after a crash or after ``_WARM_MAX_USES`` files, and a
decode that finds it busy (another thread) runs in a one-shot child instead.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import select
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

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


def _server_command() -> list[str]:
    return [sys.executable, "-I", str(_CHILD_SCRIPT), "--serve"]


def _signal_name(returncode: int) -> str:
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def _parse(returncode: int | None, stdout: bytes, stderr: bytes) -> dict[str, Any]:
    """The child's report, or the DecodeError its death means."""
    stderr_tail = stderr.decode("utf-8", "replace").strip()[-500:]
    if returncode is not None and returncode < 0:
        raise DecodeError("decoder crashed", f"the decoder was killed by {_signal_name(returncode)}")
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        report: dict[str, Any] = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        raise DecodeError(
            "decoder crashed",
            f"the decoder exited with status {returncode} without a result: {stderr_tail}",
        ) from None
    if stderr_tail:
        logger.debug("decoder stderr: %s", stderr_tail)
    return report


def _run_once(args: list[str], timeout_s: float) -> dict[str, Any]:
    command = _child_command(Path(args[0]), Path(args[1]), float(args[2]), args[3] or None)
    try:
        # On timeout subprocess.run kills the child (SIGKILL) and reaps it before raising.
        proc = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise DecodeError("timeout", f"decoding took longer than {timeout_s:g} s") from None
    return _parse(proc.returncode, proc.stdout, proc.stderr)


_WARM_MAX_USES = 200


class _WarmChild:
    """One long-lived decoder child; every failure ends it and the next request starts a fresh one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._uses = 0

    def _start(self) -> subprocess.Popen[bytes]:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child; closed in _stop
        self._proc = subprocess.Popen(
            _server_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr
        )
        self._uses = 0
        return self._proc

    def _stop(self) -> tuple[int | None, bytes]:
        proc, self._proc = self._proc, None
        returncode = None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
            returncode = proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
        stderr = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            stderr = self._stderr.read()
            self._stderr.close()
            self._stderr = None
        return returncode, stderr

    def close(self) -> None:
        """End the child (it also ends by itself when its stdin closes with this process)."""
        with self.lock:
            if self._proc is not None:
                proc = self._proc
                assert proc.stdin is not None
                proc.stdin.close()  # EOF: the child leaves its loop
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=2)
            self._stop()

    def request(self, args: list[str], timeout_s: float) -> dict[str, Any]:
        proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write((json.dumps(args) + "\n").encode())
            proc.stdin.flush()
        except BrokenPipeError:
            pass  # it died on the way; reading gives EOF below
        ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
        if not ready:
            self._stop()
            raise DecodeError("timeout", f"decoding took longer than {timeout_s:g} s")
        line = proc.stdout.readline()
        if not line:
            returncode, stderr = self._stop()
            return _parse(returncode, b"", stderr)
        self._uses += 1
        if self._uses >= _WARM_MAX_USES:
            self._stop()
        return _parse(0, line, b"")


_warm = _WarmChild()
atexit.register(lambda: _warm.close())  # whichever instance is current at exit


def decode_file(
    path: str | Path,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_duration_s: float = DEFAULT_MAX_DURATION_S,
    warm: bool = True,
) -> DecodedAudio:
    """Decode any audio file PyAV can read to ``DecodedAudio`` (16 kHz, float32, shape (channels, samples)).

    Raises :class:`DecodeError` with ``kind`` "not audio", "truncated", "empty", "too long", "timeout" or
    "decoder crashed"; ``FileNotFoundError`` if there is no such file. ``warm=False`` starts a fresh
    child for this file instead of using the process's warm one.
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
        args = [str(src.resolve()), str(out), repr(max_duration_s), sniffed.demuxer or ""]
        if warm and _warm.lock.acquire(blocking=False):
            try:
                report = _warm.request(args, timeout_s)
            finally:
                _warm.lock.release()
        else:
            report = _run_once(args, timeout_s)
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
