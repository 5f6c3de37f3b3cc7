"""One call through the pipeline: decode → transcribe → redact → tokens → signals → topics → events.

Every stage is idempotent: the transcript, its tokens and everything derived from them replace what an
earlier (perhaps interrupted) attempt wrote, in one transaction per stage. The text is redacted before it
is first written anywhere (database, index, logs, webhooks).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from voc.audio_store import LocalAudioStore
from voc.db.calls import Call, Segment
from voc.intake.decode import decode_file
from voc.intake.errors import DecodedAudio, DecodeError
from voc.nlp.toolkit import TextToolkit
from voc.pipeline.jobs import others_waiting
from voc.pipeline.worker import PermanentError, Reporter
from voc.redaction.crm import linked_names
from voc.redaction.names import PersonName
from voc.redaction.redactor import Redactor

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 1.0


class SegmentLike(Protocol):
    @property
    def speaker(self) -> str: ...
    @property
    def start(self) -> float: ...
    @property
    def end(self) -> float: ...
    @property
    def text(self) -> str: ...
    @property
    def avg_logprob(self) -> float: ...
    @property
    def no_speech_prob(self) -> float: ...


class TranscriptLike(Protocol):
    @property
    def segments(self) -> Sequence[SegmentLike]: ...
    @property
    def metrics(self) -> dict[str, Any]: ...


class Transcriber(Protocol):
    def __call__(
        self, audio: DecodedAudio, layout: str, progress: Callable[[float], None] | None, parallel: int = 1
    ) -> TranscriptLike: ...


#: A stage after the transcript is stored: signals, topic assignment, events. Runs in the given session.
AnalysisStage = Callable[[Session, int], object]


@dataclass
class CallPipeline:
    engine: Engine
    store: LocalAudioStore
    transcriber: Transcriber
    redactor: Redactor
    toolkit: TextToolkit
    decode_timeout_s: float = 120.0
    max_duration_s: float = 4 * 3600.0
    #: Parallel batches a call's speech may be split into when no other call waits (model replicas).
    max_parallel: int = 1
    analysis_stages: list[AnalysisStage] = field(default_factory=list)

    def warm_up(self, path: Path, layout: str = "stereo_operator_left") -> None:
        """Decode and transcribe ``path`` once, storing nothing: the model loads and its first, slower
        run happens before any call is timed (benchmarks)."""
        audio = decode_file(path, timeout_s=self.decode_timeout_s, max_duration_s=self.max_duration_s)
        self.transcriber(audio, layout if audio.n_channels > 1 else "mono", None)

    def __call__(self, call_id: int, report: Reporter) -> None:
        with Session(self.engine) as session:
            call = session.get(Call, call_id)
            if call is None:
                raise PermanentError(f"call {call_id} no longer exists")
            sha, layout = call.audio_sha256, call.channel_layout
            names = linked_names(session, call)  # the CRM's name of the linked customer is redacted too
        path = self.store.path_for(sha)
        if not path.is_file():
            raise PermanentError("音声ファイルがありません (audio file missing from the store)")

        report("decoding", 0.0)
        try:
            audio = decode_file(path, timeout_s=self.decode_timeout_s, max_duration_s=self.max_duration_s)
        except DecodeError as exc:
            raise PermanentError(str(exc)) from exc
        if layout != "mono" and audio.n_channels < 2:
            log.info("call %s: declared %s but the file is mono; transcribing as mono", call_id, layout)
            layout = "mono"

        report("transcribing", 0.0)
        throttle = _Throttle(lambda f: report("transcribing", f))
        transcript = self.transcriber(audio, layout, throttle, self._parallel(call_id))

        report("analysing", 0.0)
        self._store_transcript(call_id, audio, layout, transcript, names)
        for i, stage in enumerate(self.analysis_stages):
            with Session(self.engine) as session:
                stage(session, call_id)
                session.commit()
            report("analysing", (i + 1) / (len(self.analysis_stages) + 1))

    def _parallel(self, call_id: int) -> int:
        """All model replicas for this call when no other call waits: the other workers are idle, or
        will be once their current call ends, so the cores are free (a lone upload is done sooner, and
        a batch does not end on one busy core). One replica, batching the call's speech, while calls
        wait: then every core already has a call of its own, and batching is the faster use of a core."""
        if self.max_parallel <= 1:
            return 1
        with Session(self.engine) as session:
            return 1 if others_waiting(session, call_id) else self.max_parallel

    def _store_transcript(
        self,
        call_id: int,
        audio: DecodedAudio,
        layout: str,
        transcript: TranscriptLike,
        names: Sequence[PersonName] = (),
    ) -> None:
        segments = [s for s in transcript.segments if s.text.strip()]
        redacted = self.redactor.redact_segments([(s.speaker, s.text) for s in segments], names=names)
        redactions = [
            {
                "segment": idx,
                "type": str(r.type),
                "start": r.out_start,
                "end": r.out_end,
                "time": round(seg.start, 2),
            }
            for idx, (seg, red) in enumerate(zip(segments, redacted, strict=True))
            for r in red.redactions
        ]
        with Session(self.engine) as session:
            # Row lock: a worker that lost its lease while paused and the new owner must not interleave
            # their delete + insert (PostgreSQL; SQLite serialises writers anyway).
            session.exec(select(Call.id).where(Call.id == call_id).with_for_update())
            session.exec(delete(Segment).where(col(Segment.call_id) == call_id))
            for idx, (seg, red) in enumerate(zip(segments, redacted, strict=True)):
                session.add(
                    Segment(
                        call_id=call_id,
                        idx=idx,
                        speaker=seg.speaker,
                        start=seg.start,
                        end=seg.end,
                        text=red.text,
                        avg_logprob=seg.avg_logprob,
                        no_speech_prob=seg.no_speech_prob,
                        tokens=self.toolkit.tokenizer(red.text),
                    )
                )
            call = session.get(Call, call_id)
            assert call is not None
            call.duration_s = audio.duration_s
            call.channels = audio.n_channels
            call.channel_layout = layout
            call.metrics = dict(transcript.metrics)
            call.redactions = redactions
            session.add(call)
            session.commit()
        log.info("call %s: %d segments stored, %d redactions", call_id, len(segments), len(redactions))


class _Throttle:
    """Progress callbacks come per segment; the database hears at most one a second."""

    def __init__(self, sink: Callable[[float], None]) -> None:
        self.sink = sink
        self.last = 0.0

    def __call__(self, fraction: float) -> None:
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY_S or fraction >= 1.0:
            self.last = now
            self.sink(fraction)
