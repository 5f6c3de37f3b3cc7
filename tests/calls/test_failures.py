"""A stored failure text becomes a reason code the UI words in the reader's language; the text is kept."""

from __future__ import annotations

import pytest

from voc.calls.failures import FailureCode, explain_failure


@pytest.mark.parametrize(
    ("stored", "code"),
    [
        ("not audio: the file is a PDF document", FailureCode.NOT_AUDIO),
        ("truncated: the stream ends at 12.5 s", FailureCode.TRUNCATED),
        ("timeout: decoding took longer than 120 s", FailureCode.DECODE_TIMEOUT),
        ("音声ファイルがありません (audio file missing from the store)", FailureCode.AUDIO_MISSING),
        ("[Errno 28] No space left on device: '/srv/voc/audio/ab'", FailureCode.DISK_FULL),
        ("[Errno 13] Permission denied: '/srv/voc/audio'", FailureCode.PERMISSION),
        ("worker w1 (pid 4242) killed by SIGKILL", FailureCode.WORKER_DIED),
        ("worker w1 stopped: it used 3100 MiB, over the per-worker memory limit", FailureCode.OUT_OF_MEMORY),
        (
            "ASR model directory '/opt/m' (setting VOC_ASR__MODEL_DIR) does not exist",
            FailureCode.MODEL_MISSING,
        ),
        ("ZeroDivisionError", FailureCode.UNKNOWN),
    ],
)
def test_stored_failures_get_their_reason_code(stored: str, code: FailureCode) -> None:
    failure = explain_failure(stored)
    assert failure is not None and failure.code == code and failure.detail == stored
    assert not failure.exhausted


def test_a_dead_letter_says_every_attempt_was_used() -> None:
    failure = explain_failure(
        "3 回試行しても完了しませんでした (attempts exhausted): worker w2 (pid 9) killed by SIGKILL"
    )
    assert failure is not None and failure.exhausted and failure.code == FailureCode.WORKER_DIED


def test_no_error_no_failure() -> None:
    assert explain_failure(None) is None and explain_failure("") is None
