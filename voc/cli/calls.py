"""``voc calls …``: ingest recordings, follow them through the pipeline, show the results."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from sqlmodel import Session, col, select

from voc.assembly import embedded_worker_count, spawn_workers
from voc.calls.metadata import MetadataError, MetadataFile, normalise_layout, read_metadata
from voc.calls.queries import call_detail, find_call
from voc.cli.common import fail, print_json, progress_bar, runtime, say_where
from voc.db.calls import Call
from voc.pipeline.child import stop_workers
from voc.pipeline.liveness import queue_health
from voc.pipeline.worker import live_workers
from voc.runtime import Runtime
from voc.services.retry import retry_call
from voc.services.uploads import ingest_files

app = typer.Typer(no_args_is_help=True)

AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".opus", ".oga", ".webm", ".mp4", ".wma"}
FINAL = ("done", "failed", "dead")


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            fail(f"no such file or folder: {path}")
    return files


@app.command("ingest")
def ingest_cmd(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Audio files or folders (searched recursively)."),
    metadata: Path | None = typer.Option(
        None,
        "--metadata",
        exists=True,
        dir_okay=False,
        help="CSV: call_id,file,agent,started_at,channels,customer_id,caller_number.",
    ),
    channels: str | None = typer.Option(None, help="Channel layout for files without metadata."),
    wait: bool = typer.Option(
        False, "--wait", help="Block until every call is analysed; exit 1 if any failed."
    ),
) -> None:
    """Queue recordings for transcription and analysis (the same file twice is one call)."""
    rt = runtime(ctx)
    # Written as in a metadata CSV or an API upload (any case, plain "stereo").
    default_layout = normalise_layout(channels, rt.settings.asr.default_layout)
    try:
        rows = read_metadata(metadata, default_layout) if metadata else MetadataFile()
    except MetadataError as exc:
        fail(str(exc))
    # Every bad row is named; the files of the good rows still go in.
    for line, reason in rows.errors:
        typer.echo(f"  {metadata}: line {line}: {reason}", err=True)
    files = _expand(paths)
    if not files:
        fail("no audio files found")
    with progress_bar() as bar, Session(rt.engine) as session:
        task = bar.add_task("storing", total=len(files))
        result = ingest_files(
            session,
            rt.store,
            files,
            rows,
            default_layout=default_layout,
            max_bytes=rt.settings.max_upload_mb << 20,
            notify=rt.dispatcher.notify,
            on_file=lambda _f: bar.advance(task),
        )
    for file, reason in result.errors:
        typer.echo(f"  not queued: {file}: {reason}", err=True)
    for file, call_id in result.duplicates:
        typer.echo(f"  already stored: {file} is call {call_id}")
    for file, call_id, other in result.shared:
        typer.echo(f"  {file}: new call {call_id} sharing the recording of call {other}")
    call_ids = result.call_ids
    typer.echo(f"{len(call_ids)} calls queued")
    if wait and call_ids:
        wait_for(rt, call_ids, exit_on_failure=False)
    if result.errors or rows.errors or (wait and not _all_done(rt, call_ids)):
        raise typer.Exit(1)


def _all_done(rt: Runtime, call_ids: list[int]) -> bool:
    with Session(rt.engine) as session:
        statuses = session.exec(select(Call.status).where(col(Call.id).in_(call_ids))).all()
    return all(status == "done" for status in statuses)


def wait_for(rt: Runtime, call_ids: list[int], *, exit_on_failure: bool = True) -> None:
    """Follow the calls to the end; with no live worker, do the work here (retries included)."""
    # With no live worker, this command does the work itself, with the same worker processes as
    # `voc serve` (one per core); they stop once every call it waits for is finished.
    # No API shares these helpers' cores, so they keep the normal CPU priority (worker.nice is for serve).
    own = rt.settings.model_copy(update={"worker": rt.settings.worker.model_copy(update={"nice": 0})})
    helpers = [] if live_workers(rt.engine) else spawn_workers(own, embedded_worker_count(own))
    try:
        with progress_bar() as bar:
            task = bar.add_task("analysing", total=len(call_ids))
            while True:
                with Session(rt.engine) as session:
                    rows = session.exec(select(Call).where(col(Call.id).in_(call_ids))).all()
                finished = [c for c in rows if c.status in FINAL]
                partial = sum(c.stage_progress for c in rows if c.status not in FINAL)
                bar.update(task, completed=len(finished) + partial)
                if len(finished) == len(call_ids) or (helpers and not any(p.is_alive() for p in helpers)):
                    break
                time.sleep(0.5)
    finally:
        stop_workers(helpers)
    failed = [c for c in rows if c.status in ("failed", "dead")]
    pending = [c for c in rows if c.status not in FINAL]
    for call in failed:
        typer.echo(
            f"  failed: {call.external_id or call.id} ({call.original_filename}): {call.error}", err=True
        )
    for call in pending:
        typer.echo(
            f"  not finished: {call.external_id or call.id}: {call.status} ({call.error or 'waiting'})",
            err=True,
        )
    typer.echo(f"{len(rows) - len(failed) - len(pending)} done, {len(failed)} failed, {len(pending)} pending")
    if (failed or pending) and exit_on_failure:
        raise typer.Exit(1)


@app.command("show")
def show_cmd(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="Our call id or the uploader's external id."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show one call: status, transcript with speakers and times, metrics, signals."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        call = find_call(session, ref)
        if call is None:
            say_where(rt)
            fail(f"no call {ref!r}", 1)
        detail = call_detail(session, call)
    if as_json:
        print_json(detail)
        return
    typer.echo(
        f"call {detail['id']} ({detail['external_id'] or '-'})  status={detail['status']}  "
        f"customer={detail['customer_id'] or '-'}  duration={detail['duration'] or 0:.1f}s"
    )
    if detail["error"]:
        typer.echo(f"error: {detail['error']}")
    for seg in detail["segments"]:
        typer.echo(f"[{seg['start']:7.2f}–{seg['end']:7.2f}] {seg['speaker']:>8}: {seg['text']}")
    for sig in detail["signals"]:
        typer.echo(f"signal {sig['type']} ({sig['score']:.2f}): {sig.get('text', '')}")


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    status: str | None = typer.Option(None, help="Only calls in this status."),
    limit: int = typer.Option(50, min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List calls, newest first."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        query = select(Call).order_by(col(Call.created_at).desc()).limit(limit)
        if status:
            query = query.where(Call.status == status)
        calls = session.exec(query).all()
    # Whether anyone works the queue, as /readyz sees it: calls stay queued while no worker is alive.
    health = queue_health(rt.engine, stall_after_s=rt.settings.worker.stall_after_s)
    healthy = health.workers_check() == "ok" and health.queue_check() == "ok"
    if as_json:
        print_json(
            [{"id": c.id, "external_id": c.external_id, "status": c.status, "error": c.error} for c in calls]
        )
        if not healthy:
            typer.echo(health.summary(), err=True)
        return
    typer.echo(health.summary())
    if not calls:
        typer.echo("no calls" + (f" with status {status}" if status else ""))
        say_where(rt)
    for c in calls:
        typer.echo(
            f"{c.id:>6}  {c.external_id or '-':<16} {c.status:<12} "
            f"{c.original_filename or ''}  {c.error or ''}"
        )


@app.command("retry")
def retry_cmd(ctx: typer.Context, ref: str) -> None:
    """Replay a failed or dead-lettered call from the start."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        retry_call(session, ref, rt.dispatcher.notify)
    typer.echo(f"call {ref} queued again")
