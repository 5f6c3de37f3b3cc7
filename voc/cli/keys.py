"""``voc keys …``: create (the key is shown once), list and revoke API keys."""

from __future__ import annotations

import typer
from sqlmodel import Session

from voc.cli.common import fail, print_json, runtime
from voc.errors import NotFoundError
from voc.security.keys import list_keys
from voc.security.roles import ROLE_DESCRIPTIONS, ROLES
from voc.services.keys import issue_key, withdraw_key

app = typer.Typer(no_args_is_help=True)

ROLE_HELP = "; ".join(f"{role}: {what}" for role, what in ROLE_DESCRIPTIONS.items())


@app.command("create")
def create_cmd(
    ctx: typer.Context,
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    name: str | None = typer.Option(
        None, "--name", help="Who or what uses the key (shown in the audit log)."
    ),
) -> None:
    """Create an API key. The key is printed once: store it, it cannot be shown again."""
    if role not in ROLES:
        fail(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        key, secret = issue_key(session, role, name, actor=None)
        session.commit()
    typer.echo(secret)
    typer.echo(f"key {key.id} ({key.name}, {key.role}) created; it is shown only now.", err=True)


@app.command("list")
def list_cmd(
    ctx: typer.Context,
    json_output: bool = typer.Option(False, "--json", help="One JSON array instead of a table."),
) -> None:
    """List keys (id, prefix, name, role, last use, revoked); secrets are never shown."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        keys = list_keys(session)
    rows = [
        {
            "id": k.id,
            "prefix": f"voc_{k.prefix}_…",
            "name": k.name,
            "role": k.role,
            "created_at": k.created_at.isoformat(timespec="seconds"),
            "last_used_at": k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else None,
            "revoked_at": k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else None,
        }
        for k in keys
    ]
    if json_output:
        print_json(rows)
        return
    for row in rows:
        state = (
            f"revoked {row['revoked_at']}" if row["revoked_at"] else f"last used {row['last_used_at'] or '-'}"
        )
        typer.echo(f"{row['id']:>4}  {row['prefix']:<18} {row['role']:<12} {row['name']:<24} {state}")


@app.command("revoke")
def revoke_cmd(
    ctx: typer.Context, key_id: int = typer.Argument(..., help="The id from `voc keys list`.")
) -> None:
    """Revoke a key at once (it stays listed, for the audit trail)."""
    rt = runtime(ctx)
    with Session(rt.engine, expire_on_commit=False) as session:
        try:
            key = withdraw_key(session, key_id, actor=None)
        except NotFoundError as exc:
            fail(str(exc), 1)
        session.commit()
    typer.echo(f"key {key_id} ({key.name}) revoked")
