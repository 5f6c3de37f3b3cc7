"""``voc webhooks …``: subscriptions for CRM systems and their delivery log."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session

from voc.cli.common import fail, print_json, runtime
from voc.db.webhooks import WebhookSubscription
from voc.webhooks.outbox import redeliver
from voc.webhooks.subscriptions import (
    EVENT_TYPES,
    SubscriptionError,
    create_subscription,
    delete_subscription,
    deliveries_of,
    list_subscriptions,
)

app = typer.Typer(no_args_is_help=True)

EVENT_HELP = f"Event type (repeat): {', '.join(EVENT_TYPES)}. Default: all of them."


@app.command("create")
def create_cmd(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="http(s) URL that receives the POSTed events."),
    event: Annotated[list[str] | None, typer.Option("--event", "-e", help=EVENT_HELP)] = None,
    description: str | None = typer.Option(None, "--description"),
) -> None:
    """Subscribe a URL; prints the signing secret once (see docs/WEBHOOKS.md)."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        try:
            sub, secret = create_subscription(
                session, url, event or list(EVENT_TYPES), description=description
            )
        except SubscriptionError as exc:
            fail(str(exc))
        session.commit()
    typer.echo(secret)
    typer.echo(
        f"webhook {sub.id} created for {', '.join(sub.events)}; the secret is shown only now.", err=True
    )


@app.command("list")
def list_cmd(ctx: typer.Context, json_output: bool = typer.Option(False, "--json")) -> None:
    """List subscriptions (never their secrets)."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        subs = list_subscriptions(session)
    rows = [
        {"id": s.id, "url": s.url, "events": s.events, "active": s.active, "description": s.description}
        for s in subs
    ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = "active" if row["active"] else "paused"
        events = ", ".join(str(e) for e in s_events(row["events"]))
        typer.echo(f"{row['id']:>4}  {state:<7} {row['url']}  [{events}]")


def s_events(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


@app.command("delete")
def delete_cmd(ctx: typer.Context, webhook_id: int) -> None:
    """Delete a subscription and its delivery log."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        sub = session.get(WebhookSubscription, webhook_id)
        if sub is None:
            fail(f"no webhook {webhook_id}", 1)
        delete_subscription(session, sub)
        session.commit()
    typer.echo(f"webhook {webhook_id} deleted")


@app.command("deliveries")
def deliveries_cmd(
    ctx: typer.Context,
    webhook_id: int,
    status: str | None = typer.Option(None, help="pending | delivering | delivered | dead"),
    limit: int = typer.Option(50, min=1, max=1000),
    json_output: bool = typer.Option(False, "--json"),
) -> None:
    """The delivery log, newest first: status, attempts, last status code or error, next attempt."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        if session.get(WebhookSubscription, webhook_id) is None:
            fail(f"no webhook {webhook_id}", 1)
        rows = deliveries_of(session, webhook_id, status=status, limit=limit)
    if json_output:
        print_json([r.model_dump(mode="json", exclude={"payload", "lease_token"}) for r in rows])
        return
    for r in rows:
        outcome = r.last_status_code or r.last_error or "-"
        typer.echo(
            f"{r.id:>6}  {r.delivery_id}  {r.event_type:<22} {r.status:<10} attempts={r.attempts}  "
            f"last={outcome}  next={r.next_attempt_at.isoformat(timespec='seconds')}"
        )


@app.command("retry")
def retry_cmd(ctx: typer.Context, delivery: int = typer.Argument(..., help="The delivery's row id.")) -> None:
    """Send a dead (or delivered) delivery again, with the same delivery id."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        if not redeliver(session, delivery):
            fail(f"delivery {delivery} is not dead or delivered (or does not exist)", 1)
        session.commit()
    typer.echo(f"delivery {delivery} queued again")
