"""One call through the pipeline: decode → transcribe → redact → tokens → signals → topics → events.

Every stage is idempotent: the transcript, its tokens and everything derived from them replace what an
earlier (perhaps interrupted) attempt wrote, in one transaction per stage. The text is redacted before it
is first written anywhere (database, index, logs, webhooks).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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
from voc.settings import Settings

if TYPE_CHECKING:
    from voc.asr import AsrOptions
    from voc.nlp.vocabulary import Term

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

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, store: LocalAudioStore) -> CallPipeline:
        """The pipeline as entry points run it. The ASR model itself loads on the first call."""
        from voc.asr import Transcriber
        from voc.signals.artefact import DETECTOR_FILE, load_detector
        from voc.signals.params import SignalParams
        from voc.signals.stage import make_signals_stage
        from voc.topics.service import TopicParams, assign_call
        from voc.webhooks.events import enqueue_call_analyzed

        asr = settings.asr
        toolkit = TextToolkit.load(
            settings.nlp.domain_terms, settings.nlp.polarity, settings.nlp.user_dictionary
        )
        options = asr_options(settings, toolkit.terms)
        topic_params = TopicParams(
            n_topics=settings.topics.n_topics, min_calls_to_fit=settings.topics.min_calls_to_fit
        )

        def topics_stage(session: Session, call_id: int) -> None:
            try:
                assign_call(session, call_id, topic_params)
            except ValueError:
                # Topics are a view over many calls: a model that cannot be fitted yet must not fail
                # this call. The next refit assigns it.
                log.exception(
                    "call %s: topic assignment failed; it will be assigned at the next refit", call_id
                )

        return cls(
            engine=engine,
            store=store,
            transcriber=Transcriber(options),
            redactor=Redactor(enabled=settings.redaction.enabled),
            toolkit=toolkit,
            decode_timeout_s=asr.decode_timeout_s,
            max_duration_s=asr.max_duration_s,
            max_parallel=options.num_workers,
            analysis_stages=[
                make_signals_stage(
                    toolkit.tokenizer,
                    SignalParams.from_settings(settings.signals),
                    toolkit.terms,
                    load_detector(settings.signals.model_dir / DETECTOR_FILE),
                ),
                topics_stage,
                enqueue_call_analyzed,
            ],
        )

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


def asr_options(settings: Settings, terms: Sequence[Term]) -> AsrOptions:
    """The transcription options from the settings; hotwords from the domain vocabulary (+ a file)."""
    from voc.asr import AsrOptions, ChannelLayout, resolve_model_dir
    from voc.nlp.vocabulary import hotwords

    asr = settings.asr
    threads = asr_threads(asr.cpu_threads, settings.worker.processes)
    words = hotwords(terms)
    if asr.hotwords_file is not None:
        lines = asr.hotwords_file.read_text(encoding="utf-8").splitlines()
        extra = [w.strip() for w in lines if w.strip()]
        words = "、".join([*extra, words] if words else extra)
    return AsrOptions(
        model_dir=resolve_model_dir(asr.model_dir),
        device=asr.device,
        compute_type=asr.compute_type,
        cpu_threads=threads,
        num_workers=asr.num_workers or _replicas(asr.device, threads),
        batch_size=asr.batch_size,
        beam_size=asr.beam_size,
        language=asr.language,
        hotwords=(words or None) if asr.use_hotwords else None,
        channel_layout=ChannelLayout(asr.default_layout),
    )


def _replicas(device: str, threads: int) -> int:
    """Model replicas a worker process loads by default: on the CPU, one per ``threads`` cores, so a
    call can be split over all of them when the other workers are idle; on a GPU one (it batches)."""
    if device != "cpu":
        return 1
    return max(1, (os.cpu_count() or 1) // threads)


def asr_threads(cpu_threads: int, processes: int) -> int:
    """Threads for one worker process's transcriptions: its share of the cores unless set.

    CTranslate2 left at 0 takes 4 threads and oversubscribes a 2-core machine (design notes §1).
    """
    if cpu_threads:
        return cpu_threads
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, processes or cores))


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
