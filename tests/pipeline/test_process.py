"""The pipeline on real files with a scripted transcriber: redaction before the first write, tokens,
idempotent re-runs, and bad files ending as a clear error on the call."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from voc.calls.ingest import register_call
from voc.db.calls import Call, CallCreate, Segment
from voc.intake.errors import DecodedAudio
from voc.nlp.toolkit import TextToolkit
from voc.pipeline.process import CallPipeline
from voc.pipeline.worker import Worker
from voc.redaction.redactor import Redactor
from voc.runtime import Runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "audio"


@dataclass(frozen=True)
class Seg:
    speaker: str
    start: float
    end: float
    text: str
    avg_logprob: float = -0.2
    no_speech_prob: float = 0.01


@dataclass
class Script:
    segments: Sequence[Seg]
    metrics: dict[str, Any] = field(default_factory=lambda: {"talk_ratio": 0.5})


class ScriptedTranscriber:
    def __init__(self, segments: Sequence[Seg]) -> None:
        self.segments = segments
        self.calls: list[tuple[int, str]] = []
        self.parallel: list[int] = []

    def __call__(
        self, audio: DecodedAudio, layout: str, progress: Callable[[float], None] | None, parallel: int = 1
    ) -> Script:
        self.calls.append((audio.n_channels, layout))
        self.parallel.append(parallel)
        if progress:
            progress(1.0)
        return Script(self.segments)


SCRIPT = [
    Seg("operator", 0.5, 3.0, "お電話ありがとうございます。ご本人確認のためお電話番号をお願いします。"),
    Seg("customer", 3.5, 7.0, "電話番号は090の1234の5678です。料金が高すぎると思います。"),
    Seg("customer", 7.5, 9.0, "月額九千八百円は割に合わないです。"),
]


def _pipeline(
    rt: Runtime, toolkit: TextToolkit, transcriber: ScriptedTranscriber, max_parallel: int = 1
) -> CallPipeline:
    return CallPipeline(
        engine=rt.engine,
        store=rt.store,
        transcriber=transcriber,
        redactor=Redactor(enabled=True),
        toolkit=toolkit,
        max_parallel=max_parallel,
    )


def _ingest(rt: Runtime, name: str, layout: str = "stereo_operator_left") -> int:
    with Session(rt.engine) as session:
        stored = rt.store.put_file(FIXTURES / name)
        call = register_call(session, stored, CallCreate(channel_layout=layout)).call
        session.commit()
        assert call.id is not None
        return call.id


def _run(rt: Runtime, pipeline: CallPipeline) -> None:
    worker = Worker(rt.engine, pipeline, backoff_s=0)
    while worker.run_once():
        pass


def test_transcript_is_redacted_tokenized_and_stored(runtime: Runtime, toolkit: TextToolkit) -> None:
    transcriber = ScriptedTranscriber(SCRIPT)
    call_id = _ingest(runtime, "stereo_call.flac")
    _run(runtime, _pipeline(runtime, toolkit, transcriber))
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.status == "done", call and call.error
        assert call.channels == 2 and call.duration_s is not None and 15 < call.duration_s < 25
        segments = session.exec(
            select(Segment).where(Segment.call_id == call_id).order_by(col(Segment.idx))
        ).all()
    assert transcriber.calls == [(2, "stereo_operator_left")]
    texts = [s.text for s in segments]
    assert "090" not in texts[1] and "5678" not in texts[1] and "［電話番号］" in texts[1]
    assert "九千八百円" in texts[2]  # prices are not PII
    (red,) = call.redactions
    assert (red["segment"], red["type"], red["time"]) == (1, "phone", 3.5)
    assert texts[1][red["start"] : red["end"]] == "［電話番号］"
    assert "高い" in segments[1].tokens and "EXCESS:高い" in segments[1].tokens
    assert not any("5678" in t for s in segments for t in s.tokens)


def test_a_call_gets_every_replica_only_when_no_other_call_waits(
    runtime: Runtime, toolkit: TextToolkit
) -> None:
    """While calls wait, each worker batches its own call on one replica (the other cores are busy with
    theirs); the last call of a batch, or a lone upload, is split over all replicas."""
    transcriber = ScriptedTranscriber(SCRIPT)
    first = _ingest(runtime, "stereo_call.flac")
    _ingest(runtime, "mono_call.flac")
    pipeline = _pipeline(runtime, toolkit, transcriber, max_parallel=2)
    _run(runtime, pipeline)
    assert transcriber.parallel == [1, 2]
    pipeline(first, lambda _s, _p: None)  # nothing waits now
    assert transcriber.parallel == [1, 2, 2]
    assert _pipeline(runtime, toolkit, transcriber, max_parallel=1)._parallel(first) == 1


def test_running_twice_replaces_instead_of_duplicating(runtime: Runtime, toolkit: TextToolkit) -> None:
    call_id = _ingest(runtime, "stereo_call.flac")
    pipeline = _pipeline(runtime, toolkit, ScriptedTranscriber(SCRIPT))
    pipeline(call_id, lambda _s, _p: None)
    pipeline(call_id, lambda _s, _p: None)
    with Session(runtime.engine) as session:
        assert len(session.exec(select(Segment).where(Segment.call_id == call_id)).all()) == len(SCRIPT)


def test_a_mono_file_declared_stereo_is_transcribed_as_mono(runtime: Runtime, toolkit: TextToolkit) -> None:
    transcriber = ScriptedTranscriber(SCRIPT)
    call_id = _ingest(runtime, "mono_call.flac")
    _run(runtime, _pipeline(runtime, toolkit, transcriber))
    assert transcriber.calls == [(1, "mono")]
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.channel_layout == "mono"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("truncated.flac", "truncated"), ("header_only.wav", "empty"), ("not_audio.flac", "not audio")],
)
def test_bad_files_fail_once_with_a_clear_reason(
    runtime: Runtime, toolkit: TextToolkit, tmp_path: Path, name: str, reason: str
) -> None:
    transcriber = ScriptedTranscriber(SCRIPT)
    call_id = _ingest(runtime, name)
    _run(runtime, _pipeline(runtime, toolkit, transcriber))
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert call.status == "failed" and call.attempts == 1
        assert (call.error or "").startswith(reason)
        assert session.exec(select(Segment).where(Segment.call_id == call_id)).all() == []
    assert transcriber.calls == []


def test_missing_audio_is_a_clear_error(runtime: Runtime, toolkit: TextToolkit) -> None:
    call_id = _ingest(runtime, "stereo_call.flac")
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        runtime.store.delete(call.audio_sha256)
    _run(runtime, _pipeline(runtime, toolkit, ScriptedTranscriber(SCRIPT)))
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None and call.status == "failed" and "audio file missing" in (call.error or "")
