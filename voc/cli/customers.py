"""``voc customers …``: CRM import and customer look-ups."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from sqlmodel import Session, select

from voc.assembly import signal_params
from voc.cli.common import fail, print_json, runtime, say_where
from voc.csvfiles import CsvEncodingError
from voc.customers.listing import CustomerQuery, CustomerSort, customers_csv, list_customers
from voc.customers.records import to_public
from voc.db.customers import Customer
from voc.services.customer_import import import_customers

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_cmd(
    ctx: typer.Context,
    csv_path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="CRM export (CSV in UTF-8 or Shift_JIS)."
    ),
) -> None:
    """Load or update customers from a CRM CSV; bad rows are listed, good rows still load."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        try:
            report = import_customers(session, csv_path, signal_params(rt.settings), actor=None)
        except CsvEncodingError as exc:
            fail(f"{csv_path}: {exc}")
        session.commit()
    typer.echo(f"{report.created} created, {report.updated} updated, {len(report.errors)} rejected")
    if report.linked_calls:
        typer.echo(f"{len(report.linked_calls)} earlier calls linked to their customers by phone number")
    for line, reason in report.errors:
        typer.echo(f"  line {line}: {reason}", err=True)
    if report.errors and not report.loaded:
        raise typer.Exit(1)


@app.command("show")
def show_cmd(ctx: typer.Context, customer_id: str) -> None:
    """Print one customer record as JSON."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        customer = session.exec(select(Customer).where(Customer.customer_id == customer_id)).first()
        if customer is None:
            fail(f"no customer {customer_id!r}", 1)
        print_json(to_public(session, customer).model_dump(mode="json"))


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    q: str | None = typer.Option(None, "--q", help="Part of the name or customer id, or a phone number."),
    sort: CustomerSort = typer.Option(CustomerSort.RISK, help="risk, fee, health, name or customer_id."),
    ascending: bool = typer.Option(False, "--asc", help="Lowest first."),
    flagged: bool = typer.Option(False, "--flagged", help="Only customers with a flag in force."),
    limit: int = typer.Option(50, min=1, max=100_000),
    as_csv: bool = typer.Option(False, "--csv", help="The whole list as CSV (Excel: UTF-8 with BOM)."),
) -> None:
    """List customers with their risk, health, flags and follow-up, as the web UI's customer list."""
    rt = runtime(ctx)
    query = CustomerQuery(
        q=q, sort=sort, descending=not ascending, flagged_only=flagged, limit=None if as_csv else limit
    )
    with Session(rt.engine) as session:
        page = list_customers(session, query, signal_params(rt.settings))
    if as_csv:
        sys.stdout.write(customers_csv(page.items))
        return
    if not page.items:
        typer.echo("no customers")
        say_where(rt)
    for c in page.items:
        follow = c.follow_up
        typer.echo(
            f"{c.customer_id:<12} {c.name or '':<20} risk {c.risk_score:.2f}  "
            f"health {c.health_score}  {' '.join(c.flags) or '-'}"
            + (f"  [{follow.state.value} by {follow.by}]" if follow else "")
        )
    if page.total > len(page.items):
        typer.echo(f"({len(page.items)} of {page.total}; --limit for more)")
