"""``voc report …``: how well the signals and flags foresaw churn."""

from __future__ import annotations

import typer
from sqlmodel import Session

from voc.assembly import signal_params
from voc.cli.common import print_json, runtime
from voc.signals.backtest import backtest

app = typer.Typer(no_args_is_help=True)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


@app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """For each signal and flag: flagged customers who churned vs the base rate (lift, precision, recall).

    Only signals from calls before a customer's churned_at count.
    """
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        rows = backtest(session, signal_params(rt.settings))
    if as_json:
        print_json(rows)
        return
    if not rows or not rows[0]["customers"]:
        typer.echo("no customers with a known outcome")
        return
    first = rows[0]
    typer.echo(
        f"{first['customers']} customers, {first['churned']} churned (base rate {_pct(first['base_rate'])})"
    )
    typer.echo(
        f"{'signal / flag':<22} {'flagged':>7} {'churned':>7} {'precision':>9} {'recall':>7} {'lift':>6}"
    )
    for r in rows:
        lift = "-" if r["lift"] is None else f"{r['lift']:.2f}"
        typer.echo(
            f"{r['name']:<22} {r['flagged']:>7} {r['flagged_churned']:>7} {_pct(r['precision']):>9} "
            f"{_pct(r['recall']):>7} {lift:>6}"
        )
