"""``voc topics``: the current topics, refits, renames, and the topic report export."""

from __future__ import annotations

import sys

import typer
from sqlmodel import Session

from voc.cli.common import fail, print_json, runtime
from voc.topics.reports import report_csv, topic_report, topics_summary
from voc.topics.service import TopicParams, refit, rename_topic

app = typer.Typer(invoke_without_command=True)


def topic_params(ctx: typer.Context) -> TopicParams:
    settings = runtime(ctx).settings.topics
    return TopicParams(n_topics=settings.n_topics, min_calls_to_fit=settings.min_calls_to_fit)


@app.callback()
def topics_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(
        False, "--json", help="{model_version, topics: [{id, label, terms, share, calls}]}"
    ),
    version: int | None = typer.Option(None, help="An older model version (default: the active one)."),
) -> None:
    """Show the topics of what customers said, with their share and calls."""
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        summary = topics_summary(session, version)
    if as_json:
        print_json(summary)
        return
    if summary["model_version"] is None:
        typer.echo("no topic model yet: analyse some calls, then `voc topics refit`")
        return
    typer.echo(f"model version {summary['model_version']}")
    for t in summary["topics"]:
        typer.echo(f"  [{t['id']}] {t['label']:<24} {t['share']:6.1%}  {', '.join(t['terms'][:6])}")


@app.command("refit")
def refit_cmd(ctx: typer.Context) -> None:
    """Fit a new topic model version on every analysed call (names carry over to matching topics)."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        version = refit(session, topic_params(ctx))
        session.commit()
    if version is None:
        fail(f"too few analysed calls with customer speech (need {topic_params(ctx).min_calls_to_fit})", 1)
    typer.echo(f"topic model version {version.id}: {version.n_topics} topics from {version.n_docs} calls")


@app.command("rename")
def rename_cmd(ctx: typer.Context, topic_id: int, name: str) -> None:
    """Give a topic the name analysts use; it survives refits where the topic is matched."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        try:
            rename_topic(session, topic_id, name)
        except (LookupError, ValueError) as exc:
            fail(str(exc), 1)
        session.commit()
    typer.echo(f"topic {topic_id} is now {name!r}")


def export_report(
    ctx: typer.Context,
    fmt: str = typer.Option("json", "--format", help="csv | json"),
    period: str = typer.Option("week", help="week | month"),
) -> None:
    """Export the topic report (shares per period, emerging topics, segments, signals, churn)."""
    if fmt not in ("csv", "json") or period not in ("week", "month"):
        fail("--format is csv or json; --period is week or month")
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        report = topic_report(session, period="week" if period == "week" else "month")
    if fmt == "json":
        print_json(report)
        return
    sys.stdout.write(report_csv(report))
