"""The first start of ``voc serve``: without any API key nobody could use the API, so one admin key is made.

Its secret is shown once, on the terminal (stdout), and never reaches a log handler: log files and log
collectors keep lines, and a key in them is a key anyone with the logs can use.
"""

from __future__ import annotations

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.security.keys import ensure_admin_key


def show_first_admin_key(engine: Engine) -> None:
    with Session(engine) as session:
        secret = ensure_admin_key(session)
        session.commit()
    if secret is None:
        return
    typer.echo(
        "\n"
        "No API key existed: an admin key was created. It is shown only now — store it:\n"
        "\n"
        f"    {secret}\n"
        "\n"
        "Log in to the web UI with it, or send it as `Authorization: Bearer <key>`.\n"
        "Create keys for other people with `voc keys create --role supervisor|analyst|integration|admin`.\n"
    )
