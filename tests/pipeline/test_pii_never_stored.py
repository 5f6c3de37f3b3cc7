"""Property, end to end: card and phone numbers spoken in any form never reach the stored transcript,
the tokens, the logs or an export — the pipeline redacts before the first write.

The transcriber is scripted (it returns what Whisper would have written); everything after it is real:
decode of a real file, redaction, tokenization, storage, signals and the export.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from tests.redaction.test_redaction_properties import (
    _CARD_CARRIERS,
    _PHONE_CARRIERS,
    assert_no_leak,
    card_numbers,
    phone_numbers,
    renderings,
)
from voc.calls.ingest import register_call
from voc.db.calls import CallCreate, Segment
from voc.exports import calls_csv, export_calls
from voc.intake.errors import DecodedAudio
from voc.nlp.toolkit import TextToolkit
from voc.pipeline.process import CallPipeline
from voc.redaction.redactor import Redactor
from voc.runtime import Runtime

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "stereo_call.flac"


@dataclass(frozen=True)
class Seg:
    speaker: str
    start: float
    end: float
    text: str
    avg_logprob: float = -0.3
    no_speech_prob: float = 0.01


@dataclass
class Script:
    segments: Sequence[Seg]
    metrics: dict[str, Any] = field(default_factory=dict)


class Scripted:
    def __init__(self) -> None:
        self.lines: list[Seg] = []

    def __call__(
        self, audio: DecodedAudio, layout: str, progress: Callable[[float], None] | None, parallel: int = 1
    ) -> Script:
        logging.getLogger("voc.asr.test").info("raw ASR text: %s", " / ".join(s.text for s in self.lines))
        return Script(self.lines)


@pytest.fixture
def pipeline_and_call(runtime: Runtime, toolkit: TextToolkit) -> tuple[CallPipeline, Scripted, int]:
    scripted = Scripted()
    pipeline = CallPipeline(
        engine=runtime.engine, store=runtime.store, transcriber=scripted, redactor=Redactor(enabled=True),
        toolkit=toolkit,
    )  # fmt: skip
    with Session(runtime.engine) as session:
        call = register_call(session, runtime.store.put_file(FIXTURE), CallCreate()).call
        session.commit()
        assert call.id is not None
        return pipeline, scripted, call.id


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_spoken_numbers_never_reach_storage_tokens_logs_or_exports(
    data: st.DataObject,
    pipeline_and_call: tuple[CallPipeline, Scripted, int],
    runtime: Runtime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from voc.runtime import configure_logging

    configure_logging("INFO")  # the entry points' handlers, with the redacting filter
    pipeline, scripted, call_id = pipeline_and_call
    number = data.draw(st.one_of(card_numbers(), phone_numbers()))
    pieces = data.draw(renderings(number).filter(lambda p: len(p) > 1))
    carrier = data.draw(st.sampled_from(_CARD_CARRIERS if len(number) > 11 else _PHONE_CARRIERS))
    head, tail = carrier.split("{}")
    if data.draw(st.booleans()):
        cut = data.draw(st.integers(1, len(pieces) - 1))
        said = [head + "".join(pieces[:cut]), "".join(pieces[cut:]) + tail]
    else:
        said = [head + "".join(pieces) + tail]
    scripted.lines = [Seg("operator", 0.0, 1.5, "ご確認のため番号をお願いします。")] + [
        Seg("customer", 2.0 + 2 * i, 3.5 + 2 * i, text) for i, text in enumerate(said)
    ]
    caplog.clear()
    pipeline(call_id, lambda _s, _p: None)

    with Session(runtime.engine) as session:
        stored = session.exec(select(Segment).where(Segment.call_id == call_id)).all()
        exported = export_calls(session, with_transcript=True)
    assert stored, "the transcript was stored"
    assert_no_leak(number, " ".join(s.text for s in stored))
    assert_no_leak(number, " ".join(t for s in stored for t in s.tokens))
    # the export's words (its numbers — ids, durations — are metadata, not speech)
    exported_words = [seg["text"] for d in exported for seg in d["segments"]]
    exported_words += [sig["text"] for d in exported for sig in d["signals"]]
    assert_no_leak(number, " ".join(exported_words))
    assert exported_words and calls_csv(exported).count("\n") == 2  # header + this call
    handler_output = "\n".join(
        handler.format(record) for record in caplog.records for handler in logging.getLogger().handlers[:1]
    )
    # caplog sees records before handler filters; what a handler writes is redacted.
    assert_no_leak(number, handler_output)
