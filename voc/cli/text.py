"""``voc analyze-text`` and ``voc search``: trying text quickly, finding words in transcripts."""

from __future__ import annotations

import sys

import typer
from sqlmodel import Session

from voc import assembly
from voc.assembly import load_settings
from voc.cli.common import fail, print_json, runtime, toolkit
from voc.nlp.analyze_text import analyze_text
from voc.nlp.toolkit import TextToolkit
from voc.search.kwic import kwic
from voc.settings import Settings
from voc.signals.artefact import DETECTOR_FILE, DetectorUnavailableError, load_detector
from voc.signals.features import UtteranceAnalyzer
from voc.signals.rules import SignalLexicon
from voc.signals.text import DetectorText


def load_toolkit(settings: Settings) -> TextToolkit:
    """The toolkit, or a one-line error when the user dictionary was not built."""
    try:
        return assembly.load_toolkit(settings)
    except FileNotFoundError as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    app.command("analyze-text")(analyze_text_cmd)
    app.command("search")(search_cmd)


def analyze_text_cmd() -> None:
    """Read lines from stdin; print one JSON line each: {text, tokens, sentiment, signals} (the detector's,
    reading each line as a customer's)."""
    settings = load_settings()
    kit = load_toolkit(settings)
    try:
        detector = load_detector(settings.signals.model_dir / DETECTOR_FILE)
    except DetectorUnavailableError as exc:
        fail(str(exc))
    lexicon = SignalLexicon.from_terms(kit.terms)
    model = DetectorText(detector, UtteranceAnalyzer(kit.tokenizer, lexicon))
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        if text.strip():
            print_json(analyze_text(text, kit.tokenizer, kit.lexicon, model.signals, model.sentiment))


def search_cmd(
    ctx: typer.Context,
    word: str = typer.Argument(..., help="A word (matched by its lemma: 高い finds 高かった) or a phrase."),
    speaker: str | None = typer.Option(None, help="operator | customer | unknown"),
    width: int = typer.Option(20, min=1, help="Characters of context on each side."),
    limit: int = typer.Option(200, min=1),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """KWIC: every occurrence across transcripts with its context, call, speaker and second."""
    rt = runtime(ctx)
    with Session(rt.engine) as session:
        hits = kwic(session, word, toolkit(rt).tokenizer, speaker=speaker, width=width, limit=limit)
    if as_json:
        print_json([h.as_dict() for h in hits])
        return
    for h in hits:
        typer.echo(
            f"{h.external_id or h.call_id:>12} {h.start:7.1f}s {h.speaker:>8} "
            f"{h.left:>{width}}【{h.match}】{h.right}"
        )
    typer.echo(f"{len(hits)} hits", err=True)
