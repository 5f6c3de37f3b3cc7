"""The ``voc`` command. Each group lives in its own module; this one assembles them and turns user
errors into one line instead of a traceback."""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from voc.cli import (
    bench,
    calls,
    customers,
    db,
    examples,
    keys,
    models,
    redaction,
    report,
    serve,
    signals,
    text,
    topics,
    webhooks,
)
from voc.cli.common import CliError
from voc.errors import NotFoundError, VocError

app = typer.Typer(
    name="voc",
    help="voc: voice-of-customer analytics for Japanese contact centers.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(db.app, name="db", help="Database migrations.")
app.add_typer(calls.app, name="calls", help="Ingest, list, show and retry calls.")
app.add_typer(
    customers.app, name="customers", help="Import CRM records, show customers and the at-risk list."
)
app.add_typer(models.app, name="models", help="Assemble the bundled ASR model and build the NLP dictionary.")
app.add_typer(examples.app, name="examples", help="Load the sample calls and CRM records.")
app.add_typer(signals.app, name="signals", help="Signals: list, feedback, train, quality, recompute flags.")
app.add_typer(report.app, name="report", help="Reports: backtest of signals and flags against churn.")
app.add_typer(keys.app, name="keys", help="API keys: create (shown once), list, revoke.")
app.add_typer(
    webhooks.app, name="webhooks", help="Webhook subscriptions for CRM systems and their delivery log."
)
app.add_typer(topics.app, name="topics", help="Topics of what customers said: list, refit, rename.")
app.add_typer(bench.app, name="bench", help="Measure speed and memory; results go to docs/BENCHMARKS.md.")
app.add_typer(redaction.app, name="redaction", help="Re-apply the redactor to stored data; score it.")
report.app.command("topics")(topics.export_report)
bench.app.command("redaction")(redaction.bench_cmd)
redaction.register(app)
customers.app.command("at-risk")(signals.at_risk_cmd)
serve.register(app)
text.register(app)


def main(argv: list[str] | None = None) -> None:
    command = typer.main.get_command(app)
    try:
        # Without standalone mode click returns a command's typer.Exit code instead of exiting with it.
        code = command.main(args=argv, prog_name="voc", standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("voc: aborted\n")
        sys.exit(130)
    except typer.TyperException as exc:
        # Usage errors (unknown option, missing argument, bad value): one line and where to look.
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:  # `voc calls`: show its help
            sys.stdout.write(ctx.get_help() + "\n")
            sys.exit(0)
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        hint = f" (see: {ctx.command_path} --help)" if ctx is not None else ""
        sys.stderr.write(f"voc: error: {message.splitlines()[0]}{hint}\n")
        sys.exit(getattr(exc, "exit_code", 2))
    except CliError as exc:
        sys.stderr.write(f"voc: error: {exc}\n")
        sys.exit(exc.exit_code)
    except VocError as exc:  # a library error no command words itself: its message, like fail()
        sys.stderr.write(f"voc: error: {exc}\n")
        sys.exit(1 if isinstance(exc, NotFoundError) else 2)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        sys.stderr.write(f"voc: error: setting {where}: {first['msg']}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
