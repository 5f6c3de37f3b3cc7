"""Helpers shared by the CLI commands: the runtime, one-line errors, progress bars, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.engine import make_url

from voc.assembly import build_runtime, load_settings
from voc.nlp.toolkit import TextToolkit
from voc.runtime import Runtime

console = Console(stderr=True)


class CliError(Exception):
    """An error the user can fix: printed as one line, exit status 2 unless given."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int = 2) -> NoReturn:
    raise CliError(message, exit_code)


def runtime(ctx: typer.Context, *, migrate: bool = True) -> Runtime:
    """The runtime for this invocation, built once from the settings (the entry point reads them)."""
    obj = ctx.ensure_object(dict)
    if "runtime" not in obj:
        obj["runtime"] = build_runtime(load_settings(), migrate=migrate)
        ctx.call_on_close(obj["runtime"].close)
    rt: Runtime = obj["runtime"]
    return rt


def toolkit(rt: Runtime) -> TextToolkit:
    """The runtime's tokenizer and lexicon (loaded once), or a one-line error without the dictionary."""
    try:
        return rt.toolkit()
    except FileNotFoundError as exc:
        fail(str(exc))


def say_where(rt: Runtime) -> None:
    """On stderr: which database this command read, for when it found nothing (a wrong folder or setting)."""
    url = make_url(rt.settings.resolved_database_url).render_as_string(hide_password=True)
    typer.echo(f"(database: {url} — set VOC_DATA_DIR or VOC_DATABASE_URL to use another)", err=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
