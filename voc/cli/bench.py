"""``voc bench …``: speed and memory measured on this machine, written to docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

import typer

from voc.assembly import load_settings, signal_params
from voc.bench.benchmarks_file import write_section
from voc.cli.common import fail

# Each benchmark imports its module when it runs (the function-level imports below): they bring in what
# only a benchmark needs (the API load generator, corpora, scorers), and `voc bench` is part of every `voc`
# start, so a top-level import would slow every other command. Only the shared results-file writer belongs
# up here.

app = typer.Typer(no_args_is_help=True)

OUTPUT = Path("docs/BENCHMARKS.md")
OutputOption = typer.Option(OUTPUT, "--output", help="The benchmarks file to update.")


@app.command("nlp")
def bench_nlp(
    texts: int = typer.Option(2000, min=10, help="Customer utterances of the signals corpus to tokenize."),
    repeats: int = typer.Option(3, min=1),
    output: Path = OutputOption,
) -> None:
    """Tokenizer throughput (characters per second) on the customer lines of the signals corpus."""
    from voc.bench.nlp import bench_tokenizer, customer_lines
    from voc.signals.artefact import CORPUS_FILE

    settings = load_settings()
    if not settings.nlp.user_dictionary.is_file():
        fail(f"NLP user dictionary missing: {settings.nlp.user_dictionary}; run `voc models build`")
    source = settings.signals.model_dir / CORPUS_FILE
    if not source.is_file():
        fail(f"signals corpus missing: {source}")
    corpus = customer_lines(source, texts)
    result = bench_tokenizer(corpus, repeats=repeats, user_dic=settings.nlp.user_dictionary)
    table = (
        "## NLP: tokenization (`voc bench nlp`)\n\n"
        "| utterances | characters | tokens | best of | seconds | characters / s |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {result['texts']} | {result['chars']} | {result['tokens']} | {result['repeats']} | "
        f"{result['seconds_best']:.3f} | {result['chars_per_second']:,.0f} |\n\n"
        "JapaneseTokenizer.analyze with the user dictionary "
        "(NFKC, lemmas, compounds, negation, constructions), "
        "one process, one thread."
    )
    write_section(output, "nlp", table)
    typer.echo(table)


@app.command("asr")
def bench_asr(
    folder: Path = typer.Argument(..., help="A folder of calls, as given to `voc calls ingest`."),
    metadata: Path | None = typer.Option(None, help="The calls' CSV (default: FOLDER/calls.csv if any)."),
    references: Path | None = typer.Option(
        None, help="Reference transcripts (default: transcripts.json in FOLDER or beside the files)."
    ),
    repeats: int = typer.Option(2, min=1, help="Alternating runs of each path (the median is reported)."),
    variant: list[str] = typer.Option(
        [],
        help="Another service run, NAME:VAR=VALUE[,VAR=VALUE] (e.g. 'no hotwords:VOC_ASR__USE_HOTWORDS=0').",
    ),
    section: str = typer.Option("asr", help="The section of the benchmarks file to replace."),
    output: Path = OutputOption,
) -> None:
    """The cold `voc calls ingest FOLDER --metadata calls.csv --wait` (fresh process, fresh database) vs raw
    faster-whisper on the same files, alternating: throughput, ratio, CER, roles."""
    # Imported here: every `voc` command loads this module, the benchmark's dependencies only this one.
    import json

    from voc.asr.model_assets import ModelNotFoundError, resolve_model_dir
    from voc.bench.asr import ServiceVariant, format_markdown, load_references, run_asr_bench
    from voc.cli.calls import AUDIO_SUFFIXES
    from voc.redaction.redactor import Redactor

    settings = load_settings()
    try:
        model_dir = resolve_model_dir(settings.asr.model_dir)
    except ModelNotFoundError as exc:
        fail(str(exc))
    if not folder.is_dir():
        fail(f"no such folder: {folder}")
    files = sorted(p.resolve() for p in folder.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES)
    if not files:
        fail(f"no audio files in {folder}")
    metadata = metadata or (folder / "calls.csv" if (folder / "calls.csv").is_file() else None)
    refs = json.loads(references.read_text(encoding="utf-8")) if references else load_references(files)
    variants = [ServiceVariant("service (as configured)")]
    for spec in variant:
        name, _, assignments = spec.partition(":")
        pairs = [a.split("=", 1) for a in assignments.split(",") if a]
        if not name or any(len(p) != 2 for p in pairs):
            fail(f"--variant {spec!r}: expected NAME:VAR=VALUE[,VAR=VALUE]")
        variants.append(ServiceVariant(name, {key: value for key, value in pairs}))
    redactor = Redactor(enabled=settings.redaction.enabled)
    result = run_asr_bench(
        folder.resolve(),
        metadata.resolve() if metadata else None,
        files,
        refs,
        model_dir=model_dir,
        models_dir=settings.resolved_models_dir.resolve(),
        variants=variants,
        repeats=repeats,
        redact=lambda text: redactor.redact(text).text,
        progress=lambda m: typer.echo(m, err=True),
    )
    table = format_markdown(result, f"`voc bench asr {folder}`")
    write_section(output, section, table)
    typer.echo(table)


@app.command("signals")
def bench_signals(
    folds: int = typer.Option(5, min=2, help="GroupKFold folds over the corpus's phrasing families."),
    independent: Path = typer.Option(
        Path("tests/fixtures/signals/independent.jsonl"), help="A set written apart from the corpus."
    ),
    calls: Path = typer.Option(Path("examples"), help="Folder with calls/*.flac and transcripts.json."),
    transcribe: int = typer.Option(2, min=0, help="Calls to transcribe to compare the analysis time with."),
    output: Path = OutputOption,
) -> None:
    """Detector vs rules per signal on held-out phrasing families (clean and Whisper-heard) and on an
    independent set; decoys' false positives; sentiment vs the lexicon; analysis time per call."""
    import time

    from voc.bench.signals import example_calls, run_bench, to_markdown
    from voc.nlp.sentiment import load_lexicon
    from voc.nlp.tokenizer import JapaneseTokenizer
    from voc.nlp.vocabulary import load_terms
    from voc.signals.artefact import DETECTOR_FILE, DetectorUnavailableError, load_detector
    from voc.signals.features import UtteranceAnalyzer
    from voc.signals.rules import SignalLexicon

    settings = load_settings()
    try:
        detector = load_detector(settings.signals.model_dir / DETECTOR_FILE)
    except DetectorUnavailableError as exc:
        fail(str(exc))
    terms = load_terms(settings.nlp.domain_terms)
    analyzer = UtteranceAnalyzer(
        JapaneseTokenizer(user_dic=settings.nlp.user_dictionary), SignalLexicon.from_terms(terms)
    )
    lexicon = load_lexicon(settings.nlp.polarity, rivals=[t.surface for t in terms if t.kind == "competitor"])
    transcripts = calls / "transcripts.json"
    texts = example_calls(transcripts) if transcripts.is_file() else []
    per_call_s = None
    audio = sorted((calls / "calls").glob("*.flac"))[:transcribe]
    if audio:
        from faster_whisper import WhisperModel

        model = WhisperModel(
            str(settings.asr.model_dir), device=settings.asr.device, compute_type=settings.asr.compute_type,
            cpu_threads=1, local_files_only=True,
        )  # fmt: skip
        start = time.perf_counter()
        for path in audio:
            segments, _ = model.transcribe(
                str(path), language=settings.asr.language, beam_size=settings.asr.beam_size, vad_filter=True
            )
            list(segments)
        per_call_s = (time.perf_counter() - start) / len(audio)
        texts = texts[: len(audio)] or texts
    typer.echo("cross-validating over phrasing families (minutes)…", err=True)
    result = run_bench(
        settings.signals.model_dir, independent, detector, analyzer, lexicon, texts, folds=folds
    )
    table = to_markdown(result, per_call_s)
    write_section(output, "signals", table)
    typer.echo(table)


@app.command("topics")
def bench_topics(
    sizes: list[int] = typer.Option([10_000, 100_000], "--size", help="Generated documents (repeatable)."),
    output: Path = OutputOption,
) -> None:
    """Topic model fit time and peak memory on generated short documents."""
    from voc.bench.topics import format_markdown, run_topics_bench

    table = "## Topics (`voc bench topics`)\n\n" + format_markdown(run_topics_bench(sizes=tuple(sizes)))
    write_section(output, "topics", table)
    typer.echo(table)


@app.command("api")
def bench_api(
    calls: int = typer.Option(10_000, min=10, help="Seeded calls."),
    customers: int = typer.Option(20_000, min=10, help="Seeded customers."),
    clients: list[int] = typer.Option([1, 50], "--clients", help="Concurrent clients, one run each."),
    seconds: float = typer.Option(45.0, min=1, help="Load per level of clients."),
    workers: int = typer.Option(2, min=0, help="Worker processes transcribing the example calls meanwhile."),
    database_url: str | None = typer.Option(
        None, help="A PostgreSQL server: a fresh database is created on it and dropped. Default: SQLite."
    ),
    output: Path = OutputOption,
) -> None:
    """p50/p99 of API reads at 1 and 50 concurrent clients while workers transcribe, as `voc serve` runs."""
    from voc.bench.api import run_api_bench  # uvicorn, httpx: see the note at the top

    audio = sorted(Path("examples/calls").glob("*.flac")) if workers else []
    if workers and not audio:
        fail("no examples/calls/*.flac here: run it from the repository root, or --workers 0")
    result = run_api_bench(
        n_calls=calls,
        n_customers=customers,
        concurrency=clients,
        duration_s=seconds,
        workers=workers,
        audio=audio,
        database_url=database_url,
    )
    section = f"api-{result.backend}"
    table = f"## API reads under load (`voc bench api`, {result.backend})\n\n" + result.markdown()
    write_section(output, section, table)
    typer.echo(table)


@app.command("scale")
def bench_scale(
    audio: list[Path] = typer.Argument(None, help="Calls to process (default: examples/calls/*.flac)."),
    processes: list[int] = typer.Option([1, 2], "--processes", help="Worker process counts to compare."),
    output: Path = OutputOption,
) -> None:
    """Throughput with 1 and 2 worker processes on this machine (the real pipeline), and the ratio."""
    import tempfile

    from voc.bench.scale import run_scale_bench

    settings = load_settings()
    files = audio or sorted(Path("examples/calls").glob("*.flac"))
    with tempfile.TemporaryDirectory(prefix="voc-bench-scale-") as tmp:
        result = run_scale_bench(
            Path(tmp),
            model_dir=settings.asr.model_dir,
            audio=files,
            processes=tuple(processes),
            calls=len(files),
        )
    table = result.to_markdown()
    write_section(output, "scale", table)
    typer.echo(table)


@app.command("crm-import")
def bench_crm_import(
    rows: int = typer.Option(20_000, min=10, help="Rows of the generated CRM export (Shift_JIS)."),
    calls: int = typer.Option(10_000, min=0, help="Analysed calls waiting for their customers' import."),
    database_url: str | None = typer.Option(
        None, help="A PostgreSQL server: a fresh database is created on it and dropped. Default: SQLite."
    ),
    output: Path = OutputOption,
) -> None:
    """A generated CRM export imported into a fresh database, then again with every row changed, through
    `voc customers import`'s service: seconds for each, calls linked and flags recomputed included."""
    import tempfile
    from contextlib import nullcontext

    # The generator, and the fresh PostgreSQL database `voc bench api` uses: see the note at the top.
    from voc.bench.api import fresh_postgres
    from voc.bench.crm_import import run_crm_import_bench

    params = signal_params(load_settings())
    database = fresh_postgres(database_url) if database_url else nullcontext(None)
    with tempfile.TemporaryDirectory(prefix="voc-bench-crm-") as tmp, database as url:
        result = run_crm_import_bench(Path(tmp), rows=rows, calls=calls, database_url=url, params=params)
    table = f"## CRM import (`voc bench crm-import`, {result.backend})\n\n" + result.markdown()
    write_section(output, f"crm-import-{result.backend}", table)
    typer.echo(table)
