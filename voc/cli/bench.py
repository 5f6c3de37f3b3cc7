"""``voc bench …``: speed and memory measured on this machine, written to docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path

import typer

from voc.benchmarks import write_section
from voc.cli.common import fail
from voc.settings import Settings

app = typer.Typer(no_args_is_help=True)

OUTPUT = Path("docs/BENCHMARKS.md")
OutputOption = typer.Option(OUTPUT, "--output", help="The benchmarks file to update.")


@app.command("nlp")
def bench_nlp(
    texts: int = typer.Option(2000, min=10, help="Generated customer utterances to tokenize."),
    repeats: int = typer.Option(3, min=1),
    output: Path = OutputOption,
) -> None:
    """Tokenizer throughput (characters per second) on generated customer utterances."""
    from voc.nlp.bench import bench_tokenizer
    from voc.topics.synthetic import generate_utterances

    settings = Settings()
    if not settings.nlp.user_dictionary.is_file():
        fail(f"NLP user dictionary missing: {settings.nlp.user_dictionary}; run `voc models build`")
    corpus = [u.text for u in generate_utterances(per_theme_per_week=30, weeks=12, seed=7)][:texts]
    result = bench_tokenizer(corpus, repeats=repeats, user_dic=settings.nlp.user_dictionary)
    table = (
        "## NLP: tokenization (`voc bench nlp`)\n\n"
        "| utterances | characters | tokens | best of | seconds | characters / s |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {result['texts']} | {result['chars']} | {result['tokens']} | {result['repeats']} | "
        f"{result['seconds_best']:.3f} | {result['chars_per_second']:,.0f} |\n\n"
        "JapaneseTokenizer.analyze with the user dictionary "
        "(NFKC, lemmas, compounds, negation, constructions), "
        "one process, one thread."
    )
    write_section(output, "nlp", table)
    typer.echo(table)
