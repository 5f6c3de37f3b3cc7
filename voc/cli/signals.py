"""``voc signals …``: list signals, give feedback, train and check the classifiers, recompute flags.

``at_risk_cmd`` is the ``voc customers at-risk`` command (registered under the customers group).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from sqlmodel import Session, select

from voc.assembly import signal_params
from voc.calls.queries import find_call
from voc.cli.common import fail, print_json, runtime, say_where, toolkit
from voc.db.customers import Customer
from voc.db.signals import CallSignalRow
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.runtime import Runtime
from voc.signals.analyze import analyze_call
from voc.signals.artefact import DETECTOR_FILE, DetectorUnavailableError, load_detector
from voc.signals.at_risk import at_risk
from voc.signals.detector import SignalDetector
from voc.signals.feedback import UnknownSignalError, record_feedback
from voc.signals.flags import on_call_linked, recompute_all, recompute_customer
from voc.signals.params import SignalParams
from voc.signals.rules import SignalLexicon
from voc.signals.store import SignalFilter, list_signals, signals_for_call
from voc.signals.training import load_models, quality_report, train_from_feedback

app = typer.Typer(no_args_is_help=True)


def _params(rt: Runtime) -> SignalParams:
    return signal_params(rt.settings)


def _nlp(rt: Runtime) -> tuple[JapaneseTokenizer, SignalLexicon]:
    """The runtime's tokenizer, and the signal lexicon with its competitor names."""
    text = toolkit(rt)
    return text.tokenizer, SignalLexicon.from_terms(text.terms)


def _detector(rt: Runtime) -> SignalDetector:
    try:
        return load_detector(rt.settings.signals.model_dir / DETECTOR_FILE)
    except DetectorUnavailableError as exc:
        fail(str(exc))


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _parse_since(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--since: not an ISO 8601 time: {value!r}")
    if parsed.tzinfo is None:
        fail("--since needs a time zone (ISO 8601 with offset)")
    return parsed


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    signal_type: str | None = typer.Option(None, "--type", help="dissatisfaction, value_complaint, …"),
    customer_id: str | None = typer.Option(None, "--customer", help="CRM customer id."),
    call: str | None = typer.Option(None, "--call", help="Call id (ours or the external id)."),
    source: str | None = typer.Option(None, help="baseline | model"),
    since: str | None = typer.Option(None, help="Calls from this time on (ISO 8601 with zone)."),
    limit: int = typer.Option(50, min=1, max=1000),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Signals, newest first, with the words that raised them."""
    rt = runtime(ctx)
    date_from = _parse_since(since) if since else None
    with Session(rt.engine) as session:
        customer_pk = call_id = None
        if customer_id:
            customer_pk = session.exec(select(Customer.id).where(Customer.customer_id == customer_id)).first()
            if customer_pk is None:
                fail(f"no customer {customer_id!r}", 1)
        if call:
            found = find_call(session, call)
            if found is None:
                fail(f"no call {call!r}", 1)
            call_id = found.id
        filters = SignalFilter(
            type=signal_type, source=source, date_from=date_from, customer_pk=customer_pk, call_id=call_id
        )
        items, _ = list_signals(session, filters, limit=limit)
    if as_json:
        print_json(items)
        return
    for item in items:
        typer.echo(
            f"#{item['id']} {item['type']} {item['score']:.2f} [{item['source']}] call {item['call_id']} "
            f"@{item['start']:.1f}s {item['customer_id'] or '-'}: {item['text']}"
        )


@app.command("feedback")
def feedback_cmd(
    ctx: typer.Context,
    signal_id: int = typer.Argument(..., help="The signal's id (see `voc signals list`)."),
    label: str = typer.Argument(..., help="confirm | dismiss"),
    note: str | None = typer.Option(None, help="Why (kept with the label)."),
    user: str | None = typer.Option(None, help="Who gives the label."),
) -> None:
    """Confirm or dismiss a signal; the customer's flags are recomputed (dismissed signals do not count)."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        try:
            record_feedback(session, signal_id, label, note=note, user=user)
        except UnknownSignalError as exc:
            fail(str(exc), 1)
        except ValueError as exc:
            fail(str(exc))
        signal = session.get(CallSignalRow, signal_id)
        assert signal is not None
        changes = on_call_linked(session, signal.call_id, _params(rt))
        session.commit()
    typer.echo(f"signal {signal_id}: {label}")
    for flag in changes.cleared:
        typer.echo(f"flag cleared: {flag}")
    for flag in changes.raised:
        typer.echo(f"flag raised: {flag}")


@app.command("train")
def train_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Train a classifier per signal from the feedback; it is used only if it beats the detector's F1 on
    the analysts' labels."""
    rt = runtime(ctx)
    tokenizer, lexicon = _nlp(rt)
    with Session(rt.engine) as session:
        reports = train_from_feedback(
            session,
            tokenizer,
            rt.settings.signals.min_feedback_labels,
            lexicon=lexicon,
            detector=_detector(rt),
        )
        session.commit()
    if as_json:
        print_json(reports)
        return
    for r in reports:
        if not r["trained"]:
            typer.echo(f"{r['type']}: {r['labels']} labels, not trained ({r['reason']})")
            continue
        used = "used" if r["model_active"] else f"not used (the {r['baseline_is']} do as well)"
        typer.echo(
            f"{r['type']}: model F1 {r['model']['f1']:.2f} vs {r['baseline_is']} F1 "
            f"{r['baseline']['f1']:.2f}, {used}"
        )


@app.command("quality")
def quality_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Held-out precision / recall of the rules and of the trained model, per signal."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        report = quality_report(session)
    if as_json:
        print_json(report)
        return
    typer.echo(f"{'signal':<20} {'labels':>6}  {'rules P/R':>11}  {'model P/R':>11}  used")
    for q in report:
        base, model = q["baseline"] or {}, q["model"] or {}
        typer.echo(
            f"{q['type']:<20} {q['labels']:>6}  "
            f"{_fmt(base.get('precision')):>5}/{_fmt(base.get('recall')):<5}  "
            f"{_fmt(model.get('precision')):>5}/{_fmt(model.get('recall')):<5}  "
            f"{'model' if q['model_active'] else 'rules'}"
        )


@app.command("analyze")
def analyze_cmd(
    ctx: typer.Context,
    call: str = typer.Argument(..., help="Call id (ours or the external id)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Run the signals stage again for one call (replacing its signals) and update its customer."""
    rt = runtime(ctx)
    tokenizer, lexicon = _nlp(rt)
    with Session(rt.engine) as session:
        found = find_call(session, call)
        if found is None or found.id is None:
            fail(f"no call {call!r}", 1)
        analyze_call(
            session, found.id, tokenizer, load_models(session), lexicon=lexicon, detector=_detector(rt)
        )
        changes = on_call_linked(session, found.id, _params(rt))
        session.commit()
        items = signals_for_call(session, found)
    if as_json:
        print_json({"signals": items, "raised": changes.raised, "cleared": changes.cleared})
        return
    for item in items:
        typer.echo(f"{item['type']} {item['score']:.2f} @{item['start']:.1f}s: {item['text']}")
    for flag in changes.raised:
        typer.echo(f"flag raised: {flag}")


@app.command("recompute")
def recompute_cmd(
    ctx: typer.Context,
    customer_id: str | None = typer.Option(None, "--customer", help="Only this customer."),
) -> None:
    """Recompute customer flags (all customers: after a CRM import, usage percentiles move)."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        if customer_id:
            customer = session.exec(select(Customer).where(Customer.customer_id == customer_id)).first()
            if customer is None or customer.id is None:
                fail(f"no customer {customer_id!r}", 1)
            changed = {customer_id: recompute_customer(session, customer.id, _params(rt))}
        else:
            changed = recompute_all(session, _params(rt))
        session.commit()
    for cid, changes in changed.items():
        for flag in changes.raised:
            typer.echo(f"{cid}: flag raised: {flag}")
        for flag in changes.cleared:
            typer.echo(f"{cid}: flag cleared: {flag}")
    typer.echo(f"{sum(1 for c in changed.values() if c)} customers changed")


def at_risk_cmd(
    ctx: typer.Context,
    limit: int = typer.Option(50, min=1, max=1000, help="How many customers."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Customers to call back, highest risk first, with why and the words they said."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        ranked = at_risk(session, limit)
    if as_json:
        print_json([item.as_dict() for item in ranked])
        return
    if not ranked:
        typer.echo("no customer at risk")
        say_where(rt)
    for item in ranked:
        typer.echo(
            f"{item.customer_id} {item.name or ''}  risk {item.risk_score:.2f}  "
            f"health {item.health_score}  {', '.join(item.flags)}"
        )
        for ev in item.evidence:
            typer.echo(f"    {ev.type}: call {ev.call_id} @{ev.start:.1f}s 「{ev.text}」")
