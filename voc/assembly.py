"""The composition root: the one module that reads :class:`~voc.settings.Settings` and assembles voc.

Every entry point builds what it needs here: the CLI (``voc/cli``), the API (``api/app.py``), the
embedded worker processes (``voc/pipeline/child.py``, spawned by ``voc serve``, ``voc worker`` and
``voc calls ingest --wait``) and the Celery pool processes (``voc worker`` with a broker). Everything
below takes plain values (paths, numbers, an engine, a store, a toolkit) and never reads the settings.

    Settings ─► build_runtime ─► Runtime(engine, store, dispatcher, toolkit)
                                    │
                build_pipeline ◄────┘  decode → transcribe → redact → tokens → signals → topics → events
                build_worker, start_duties, supervise_workers, celery_context_factory
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import multiprocessing.process
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.asr import AsrOptions, ChannelLayout, Transcriber, resolve_model_dir
from voc.audio_store import LocalAudioStore
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.nlp.toolkit import TextToolkit, ToolkitLoader
from voc.nlp.vocabulary import Term, hotwords
from voc.pipeline.child import run_worker_process
from voc.pipeline.dispatch import CallDispatcher, DatabaseQueue
from voc.pipeline.duties import BackgroundDuties, DutySchedule
from voc.pipeline.process import CallPipeline
from voc.pipeline.proctree import total_memory_bytes
from voc.pipeline.supervisor import Supervisor, SupervisorPolicy
from voc.pipeline.worker import Worker
from voc.redaction.redactor import Redactor
from voc.runtime import Runtime
from voc.security.keys import KeyCache
from voc.settings import Settings
from voc.signals.artefact import DETECTOR_FILE, load_detector
from voc.signals.at_risk import backfill
from voc.signals.params import SignalParams
from voc.signals.stage import make_signals_stage
from voc.topics.service import TopicParams
from voc.topics.stage import make_topics_stage
from voc.webhooks.events import enqueue_call_analyzed

if TYPE_CHECKING:
    from celery import Celery

    from voc.pipeline.celery_app import CeleryOptions
    from voc.pipeline.tasks import ContextFactory

log = logging.getLogger(__name__)


# -- what every entry point holds ---------------------------------------------------------------------
def load_settings(**overrides: Any) -> Settings:
    """The settings: the environment (``VOC_…``) and ``.env``, with ``overrides`` on top (a command's
    options, a benchmark's fixed values). Every entry point gets them here, so that this module stays the
    one reader of the settings (a bad value raises pydantic's ``ValidationError``, naming it)."""
    return Settings(**overrides)


def build_runtime(settings: Settings, *, engine: Engine | None = None, migrate: bool = False) -> Runtime:
    """The runtime of ``settings``: a new engine unless one is given, migrated with ``migrate``."""
    engine = engine or make_engine(settings.resolved_database_url)
    if migrate:
        upgrade_database(engine, settings)
    nlp = settings.nlp
    return Runtime(
        settings=settings,
        engine=engine,
        store=LocalAudioStore(settings.resolved_audio_dir),
        dispatcher=build_dispatcher(settings, engine),
        toolkit=ToolkitLoader(nlp.domain_terms, nlp.polarity, nlp.user_dictionary),
        key_cache=KeyCache(settings.server.key_cache_ttl_s, settings.server.key_cache_size),
    )


def upgrade_database(engine: Engine, settings: Settings) -> int:
    """The migrations, then what a migration cannot write because it needs the settings: the risk rows
    of customers that have none (a database from before them). Returns how many rows were written."""
    upgrade(engine)
    with Session(engine) as session:
        written = backfill(session, signal_params(settings))
        session.commit()
    if written:
        log.info("risk and health scored for %d customer(s)", written)
    return written


def build_dispatcher(settings: Settings, engine: Engine) -> CallDispatcher:
    """Workers poll the database; with a broker, each queued call is also sent as a Celery task."""
    if not settings.broker_url:
        return DatabaseQueue()
    # Imported here: the Celery layer (celery, kombu) loads only where a broker is configured.
    from voc.pipeline.celery_app import CeleryDispatcher

    return CeleryDispatcher(engine, celery_app(settings))


def load_toolkit(settings: Settings) -> TextToolkit:
    """The tokenizer and lexicon now (``FileNotFoundError`` without the user dictionary)."""
    nlp = settings.nlp
    return TextToolkit.load(nlp.domain_terms, nlp.polarity, nlp.user_dictionary)


def signal_params(settings: Settings) -> SignalParams:
    """The thresholds of the customer flags and scores."""
    signals = settings.signals
    return SignalParams(
        high_usage_percentile=signals.high_usage_percentile,
        high_usage_absolute=signals.high_usage_absolute,
        low_usage_percentile=signals.low_usage_percentile,
        recency_half_life_days=signals.recency_half_life_days,
        min_feedback_labels=signals.min_feedback_labels,
    )


def topic_params(settings: Settings) -> TopicParams:
    return TopicParams(n_topics=settings.topics.n_topics, min_calls_to_fit=settings.topics.min_calls_to_fit)


# -- the pipeline --------------------------------------------------------------------------------------
def asr_threads(cpu_threads: int, processes: int) -> int:
    """Threads for one worker process's transcriptions: its share of the cores unless set.

    CTranslate2 left at 0 takes 4 threads and oversubscribes a 2-core machine (design notes §1).
    """
    if cpu_threads:
        return cpu_threads
    cores = os.cpu_count() or 1
    return max(1, cores // max(1, processes or cores))


def _replicas(device: str, threads: int) -> int:
    """Model replicas a worker process loads by default: on the CPU, one per ``threads`` cores, so a
    call can be split over all of them when the other workers are idle; on a GPU one (it batches)."""
    if device != "cpu":
        return 1
    return max(1, (os.cpu_count() or 1) // threads)


def asr_options(settings: Settings, terms: Sequence[Term]) -> AsrOptions:
    """The transcription options; hotwords from the domain vocabulary (+ a file)."""
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


def build_redactor(settings: Settings) -> Redactor:
    """The redactor the pipeline applies (``voc redact`` and ``voc redaction rerun`` use the same)."""
    return Redactor(enabled=settings.redaction.enabled)


def build_pipeline(
    settings: Settings, engine: Engine, store: LocalAudioStore, toolkit: TextToolkit
) -> CallPipeline:
    """The pipeline as the workers run it. The ASR model itself loads on the first call."""
    options = asr_options(settings, toolkit.terms)
    detector = load_detector(settings.signals.model_dir / DETECTOR_FILE)
    return CallPipeline(
        engine=engine,
        store=store,
        transcriber=Transcriber(options),
        redactor=build_redactor(settings),
        toolkit=toolkit,
        decode_timeout_s=settings.asr.decode_timeout_s,
        max_duration_s=settings.asr.max_duration_s,
        max_parallel=options.num_workers,
        analysis_stages=[
            make_signals_stage(toolkit.tokenizer, signal_params(settings), toolkit.terms, detector),
            make_topics_stage(topic_params(settings)),
            enqueue_call_analyzed,
        ],
    )


def build_worker(rt: Runtime, *, warm_up_with: Path | None = None, worker_id: str | None = None) -> Worker:
    """The call worker of ``rt``; with ``warm_up_with``, its pipeline transcribes that file once first."""
    settings = rt.settings
    pipeline = build_pipeline(settings, rt.engine, rt.store, rt.toolkit())
    if warm_up_with is not None:
        pipeline.warm_up(warm_up_with)
    return Worker(
        rt.engine,
        pipeline,
        worker_id=worker_id,
        lease_s=settings.worker.lease_s,
        max_attempts=settings.worker.max_attempts,
        poll_interval_s=settings.worker.poll_interval_s,
    )


def start_duties(rt: Runtime, stop: threading.Event) -> threading.Thread:
    """Webhooks, flag events, retention and scheduled refits in a thread beside the call worker, so a
    long transcription never delays a delivery."""
    settings = rt.settings
    schedule = DutySchedule(
        poll_interval_s=settings.worker.poll_interval_s,
        retention_days=settings.audio_retention_days,
        refit_every_days=settings.topics.refit_every_days,
        topic_params=topic_params(settings),
        signal_params=signal_params(settings),
    )
    duties = BackgroundDuties(rt.engine, rt.store, schedule)
    thread = threading.Thread(target=duties.run, args=(stop,), name="voc-duties", daemon=True)
    thread.start()
    return thread


# -- worker processes on this machine ------------------------------------------------------------------
def embedded_worker_count(settings: Settings) -> int:
    """One worker process per core, each transcribing on one thread: on 2 cores two processes moved
    1.20x the audio of one process on two threads (docs/BENCHMARKS.md, `voc bench scale`)."""
    if settings.worker.processes:
        return settings.worker.processes
    return max(1, os.cpu_count() or 1)


def _sharing(settings: Settings, count: int) -> Settings:
    """Each process takes its share of the cores (VOC_ASR__CPU_THREADS=0): tell it how many share them."""
    return settings.model_copy(update={"worker": settings.worker.model_copy(update={"processes": count})})


def spawn_workers(settings: Settings, count: int) -> list[multiprocessing.process.BaseProcess]:
    """Worker processes, spawned (not forked: CTranslate2 models are not fork-safe)."""
    if count < 1:
        return []
    context = multiprocessing.get_context("spawn")
    shared = _sharing(settings, count)
    procs: list[multiprocessing.process.BaseProcess] = [
        context.Process(target=run_worker_process, args=(shared,), daemon=True) for _ in range(count)
    ]
    for proc in procs:
        proc.start()
    return procs


def memory_limit_bytes(settings: Settings, count: int) -> int | None:
    """The per-process ceiling: the setting, or 80 % of this machine's memory shared among ``count``."""
    limit_mb = settings.worker.memory_limit_mb
    if limit_mb == 0:
        return None
    if limit_mb is not None:
        return limit_mb << 20
    total = total_memory_bytes()
    return int(total * 0.8 / max(1, count)) if total else None


def supervise_workers(settings: Settings, engine: Engine, count: int, *, burst: bool = False) -> Supervisor:
    """``count`` worker processes kept alive by a supervisor (not started yet: ``start()`` or ``run()``)."""
    worker = settings.worker
    policy = SupervisorPolicy(
        processes=count,
        max_attempts=worker.max_attempts,
        restart_backoff_s=worker.restart_backoff_s,
        restart_backoff_max_s=worker.restart_backoff_max_s,
        memory_limit_bytes=memory_limit_bytes(settings, count),
        burst=burst,
    )
    if policy.memory_limit_bytes is not None:
        log.info("each worker process may use %d MiB", policy.memory_limit_bytes >> 20)
    target = functools.partial(run_worker_process, _sharing(settings, count), burst=burst)
    return Supervisor(engine, target, policy)


# -- Celery (with VOC_BROKER_URL) --------------------------------------------------------------------
# Imported in the functions: the Celery layer loads only where a broker is configured.
def celery_options(settings: Settings) -> CeleryOptions:
    from voc.pipeline.celery_app import CeleryOptions  # Celery only with a broker (see above)
    from voc.pipeline.tasks import TimeLimitPolicy

    w = settings.worker
    return CeleryOptions(
        queue=w.celery_queue,
        key_prefix=w.celery_key_prefix,
        visibility_timeout_s=w.visibility_timeout_s,
        max_tasks_per_child=w.max_tasks_per_child,
        reap_every_s=w.reap_every_s,
        reap_stale_s=w.reap_stale_s,
        time_limits=TimeLimitPolicy(
            base_s=w.time_limit_base_s,
            per_audio_s=w.time_limit_per_audio_s,
            max_audio_s=settings.asr.max_duration_s,
        ),
    )


def celery_app(settings: Settings) -> Celery:
    """The Celery app of ``settings.broker_url`` (which must be set)."""
    from voc.pipeline.celery_app import make_celery_app  # Celery only with a broker

    if not settings.broker_url:
        raise ValueError("no broker configured (VOC_BROKER_URL)")
    return make_celery_app(settings.broker_url, celery_options(settings))


def celery_context_factory(settings: Settings) -> ContextFactory:
    """Each Celery pool process builds the real pipeline from the settings, as ``voc serve``'s workers do."""
    from voc.pipeline.tasks import TaskContext  # Celery only with a broker

    def build() -> TaskContext:
        rt = build_runtime(settings)
        worker = build_worker(rt)
        return TaskContext(
            engine=rt.engine,
            processor=worker.processor,
            worker_id=worker.worker_id,
            lease_s=worker.lease_s,
            max_attempts=worker.max_attempts,
            backoff_s=worker.backoff_s,
            close=rt.close,
        )

    return build
