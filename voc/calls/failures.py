"""Why a call failed, as a reason code the UI words in its language, with the stored detail kept as is.

The pipeline stores a failure as text (``not audio: …``, ``[Errno 28] No space left on device``, ``worker w1
(pid 12) killed by SIGKILL``). People read a sentence in Japanese or English; the code is what the UI
translates, the detail stays for whoever fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from typing_extensions import TypedDict


class FailureCode(StrEnum):
    NOT_AUDIO = "not_audio"
    TRUNCATED = "truncated"
    EMPTY = "empty"
    TOO_LONG = "too_long"
    DECODE_TIMEOUT = "decode_timeout"
    DECODER_CRASHED = "decoder_crashed"
    AUDIO_MISSING = "audio_missing"
    MODEL_MISSING = "model_missing"
    DICTIONARY_MISSING = "dictionary_missing"
    WORKER_DIED = "worker_died"
    OUT_OF_MEMORY = "out_of_memory"
    DISK_FULL = "disk_full"
    PERMISSION = "permission"
    FILE_NOT_FOUND = "file_not_found"
    TIME_LIMIT = "time_limit"
    UNKNOWN = "unknown"


class FailureDoc(TypedDict):
    code: FailureCode
    exhausted: bool
    detail: str


@dataclass(frozen=True)
class Failure:
    code: FailureCode
    exhausted: bool  # every attempt was used: the call is dead-lettered
    detail: str  # the stored text, unchanged

    def as_dict(self) -> FailureDoc:
        return {"code": self.code, "exhausted": self.exhausted, "detail": self.detail}


# First match wins; the patterns read what the stages store (voc/intake, voc/pipeline, voc/asr, the OS).
_PATTERNS: tuple[tuple[FailureCode, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern, re.IGNORECASE))
    for code, pattern in (
        (FailureCode.NOT_AUDIO, r"^not audio\b"),
        (FailureCode.TRUNCATED, r"^truncated\b"),
        (FailureCode.EMPTY, r"^empty\b"),
        (FailureCode.TOO_LONG, r"^too long\b"),
        (FailureCode.DECODE_TIMEOUT, r"^timeout\b"),
        (FailureCode.DECODER_CRASHED, r"^decoder crashed\b"),
        (FailureCode.AUDIO_MISSING, r"audio file missing|音声ファイルがありません"),
        (FailureCode.MODEL_MISSING, r"ASR model directory|model\.bin"),
        (FailureCode.DICTIONARY_MISSING, r"user dictionary|user\.dic|辞書"),
        (
            FailureCode.OUT_OF_MEMORY,
            r"MemoryError|Cannot allocate memory|\[Errno 12\]|memory limit|out of memory",
        ),
        (FailureCode.DISK_FULL, r"\[Errno 28\]|No space left"),
        (FailureCode.PERMISSION, r"\[Errno 13\]|Permission denied"),
        (FailureCode.FILE_NOT_FOUND, r"\[Errno 2\]|No such file"),
        (FailureCode.TIME_LIMIT, r"TimeLimitExceeded|time limit"),
        (FailureCode.WORKER_DIED, r"\bworker\b.*\b(killed|exited|died|gone)|WorkerLostError|lease expired"),
    )
)
_EXHAUSTED = re.compile(r"attempts exhausted|回試行しても", re.IGNORECASE)


def explain_failure(error: str | None) -> Failure | None:
    """The reason code of a stored failure text; None when there is none."""
    if not error:
        return None
    exhausted = bool(_EXHAUSTED.search(error))
    for code, pattern in _PATTERNS:
        if pattern.search(error):
            return Failure(code, exhausted, error)
    return Failure(FailureCode.UNKNOWN, exhausted, error)
