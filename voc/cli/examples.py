"""``voc examples load``: the sample CRM records and calls, so a new user sees real results at once."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlmodel import Session, select

from voc.assembly import signal_params
from voc.calls.metadata import MetadataError, read_metadata
from voc.cli.calls import AUDIO_SUFFIXES, wait_for
from voc.cli.common import fail, runtime
from voc.db.calls import Call
from voc.paths import source_checkout
from voc.services.customer_import import import_customers
from voc.services.uploads import ingest_files

app = typer.Typer(no_args_is_help=True)


@app.command("load")
def load_cmd(
    ctx: typer.Context,
    folder: Path | None = typer.Option(
        None,
        exists=True,
        file_okay=False,
        help="crm.csv, calls.csv, calls/. Default: examples/ of the source checkout.",
    ),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when calls are already stored."),
    wait: bool = typer.Option(False, "--wait", help="Also transcribe and analyse them now."),
) -> None:
    """Import the example CRM records and queue the example calls."""
    if folder is None:
        # The examples are not part of the package: they live in the source checkout, wherever it runs.
        checkout = source_checkout()
        if checkout is None or not (checkout / "examples").is_dir():
            fail("no examples folder here: pass --folder PATH (the repository's examples/)")
        folder = checkout / "examples"
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        if if_empty and session.exec(select(Call.id).limit(1)).first() is not None:
            typer.echo("calls already stored: examples not loaded again")
            return
        report = import_customers(session, folder / "crm.csv", signal_params(rt.settings), actor=None)
        session.commit()
        for line, reason in report.errors:
            typer.echo(f"  crm.csv line {line}: {reason}", err=True)
        try:
            rows = read_metadata(folder / "calls.csv", rt.settings.asr.default_layout)
        except MetadataError as exc:
            fail(str(exc))
        files = sorted(p for p in (folder / "calls").iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        ingested = ingest_files(
            session,
            rt.store,
            files,
            rows,
            default_layout=rt.settings.asr.default_layout,
            max_bytes=rt.settings.max_upload_mb << 20,
            notify=rt.dispatcher.notify,
        )
        if ingested.errors or rows.errors:
            fail("; ".join([*(f"line {n}: {r}" for n, r in rows.errors), *(r for _, r in ingested.errors)]))
        call_ids = ingested.call_ids  # linked to their customers as they are registered
        session.commit()
    typer.echo(f"{report.loaded} customers and {len(call_ids)} example calls loaded")
    if wait:
        wait_for(rt, call_ids)
