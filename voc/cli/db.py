"""``voc db …``: migrations."""

from __future__ import annotations

import typer

from voc.assembly import upgrade_database
from voc.cli.common import runtime
from voc.db.migrate import current_revision, head_revision

app = typer.Typer(no_args_is_help=True)


@app.command("upgrade")
def upgrade_cmd(ctx: typer.Context) -> None:
    """Apply all migrations (creates the database on first use), then score customers not yet scored."""
    rt = runtime(ctx, migrate=False)
    upgrade_database(rt.engine, rt.settings)
    typer.echo(f"database at revision {current_revision(rt.engine)}")


@app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Show the database revision and the newest one."""
    rt = runtime(ctx, migrate=False)
    typer.echo(f"current: {current_revision(rt.engine)}  head: {head_revision()}")
