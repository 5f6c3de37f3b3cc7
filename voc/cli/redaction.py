"""``voc redact`` (stdin lines → redacted lines) and ``voc redaction rerun|bench``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import typer
from sqlmodel import Session

from voc.assembly import build_redactor, load_settings, signal_params, topic_params
from voc.bench.benchmarks_file import write_section
from voc.cli.common import fail, print_json, runtime, toolkit
from voc.redaction.names import PersonName
from voc.redaction.redactor import Redactor
from voc.redaction.rerun import rerun_redaction
from voc.signals.stage import make_signals_stage
from voc.topics.service import active_version, refit
from voc.topics.stage import make_topics_stage

app = typer.Typer(no_args_is_help=True)

#: Where the corpus lives in a source checkout (it is test data, not installed with the package).
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "pii" / "whisper_pii.jsonl"


def register(root: typer.Typer) -> None:
    root.command("redact")(redact_cmd)


def _names(values: list[str]) -> list[PersonName]:
    names: list[PersonName] = []
    for value in values:
        spelled, _, kana = value.partition("/")
        name = PersonName.parse(spelled, kana or None)
        if name is None:
            fail(f"--name {value!r}: give a name such as '山田 太郎' or '山田 太郎/ヤマダ タロウ'")
        names.append(name)
    return names


def redact_cmd(
    as_json: bool = typer.Option(False, "--json", help="One JSON object a line: text, redactions, types."),
    name: list[str] = typer.Option(
        [],
        "--name",
        help="A customer's name to redact too ('山田 太郎' or '山田 太郎/ヤマダ タロウ'); repeatable.",
    ),
) -> None:
    """Read lines from stdin; print each redacted, one line per input line (the pipeline's redactor)."""
    settings = load_settings()
    redactor = build_redactor(settings)
    if not redactor.enabled:
        sys.stderr.write("voc: warning: VOC_REDACTION__ENABLED=false: lines are printed unredacted\n")
    names = _names(name)
    for line in sys.stdin:
        text = line.rstrip("\r\n")
        result = redactor.redact(text, names=names)
        if as_json:
            print_json(
                {
                    "text": result.text,
                    "redactions": [
                        {
                            "type": str(r.type),
                            "start": r.start,
                            "end": r.end,
                            "out_start": r.out_start,
                            "out_end": r.out_end,
                        }
                        for r in result.redactions
                    ],
                    "types": sorted(str(t) for t in result.types),
                }
            )
        else:
            sys.stdout.write(result.text + "\n")
        sys.stdout.flush()


@app.command("rerun")
def rerun_cmd(
    ctx: typer.Context,
    call: list[int] = typer.Option(
        [], "--call", metavar="ID", help="Only this call id (repeatable); default: every call."
    ),
    as_json: bool = typer.Option(False, "--json"),
    refit_topics: bool = typer.Option(
        True, "--refit-topics/--no-refit-topics", help="Refit the topic model when any text changed."
    ),
) -> None:
    """Re-apply the current redactor to stored transcripts and everything derived from them.

    Segment texts, tokens (search and topics input), the call's redaction list, signal evidence,
    feedback snapshots and pending webhook payloads are updated; each changed call is audited; the
    topic model is refitted on the new tokens (its terms came from the old ones). Running it again
    changes nothing.
    """
    rt = runtime(ctx)
    redactor = build_redactor(rt.settings)
    if not redactor.enabled:
        fail("redaction is disabled (VOC_REDACTION__ENABLED=false): nothing to re-apply")
    text = toolkit(rt)
    topics = topic_params(rt.settings)
    stages = [
        make_signals_stage(text.tokenizer, signal_params(rt.settings), text.terms),
        make_topics_stage(topics),
    ]
    report = rerun_redaction(rt.engine, redactor, text.tokenizer, stages=stages, call_ids=call or None)
    if refit_topics and report.calls_changed:
        with Session(rt.engine) as session:
            if active_version(session) is not None:  # topic terms were learned from the old tokens
                refit(session, topics)
                session.commit()
    if as_json:
        print_json(report.as_dict())
        return
    data = report.as_dict()
    by_type = ", ".join(f"{k} {v}" for k, v in data["by_type"].items()) or "none"
    typer.echo(
        f"{data['calls_scanned']} calls scanned, {data['calls_changed']} changed, "
        f"{data['segments_changed']} segments, {data['redactions_added']} new redactions ({by_type})"
    )


@app.command("bench")
def bench_cmd(
    corpus: Path = typer.Option(DEFAULT_CORPUS, help="The Whisper-rendered PII corpus (JSON lines)."),
    output: Path = typer.Option(
        Path("docs/BENCHMARKS.md"), "--output", help="The benchmarks file to update."
    ),
    show: bool = typer.Option(False, "--show", help="Print every leak and lost figure."),
) -> None:
    """Leaks and lost figures on the Whisper-rendered PII corpus; written to docs/BENCHMARKS.md."""
    # The benchmark's corpus reader and scorer load only when it runs, as every `voc bench` does.
    from voc.bench.redaction import corpus_lines, load_corpus, markdown, score

    if not corpus.is_file():
        fail(f"PII corpus {corpus} not found (scripts/make_pii_corpus.py makes it)")
    records = load_corpus(corpus)
    redactor = Redactor(enabled=True)
    result = score(records, redactor)
    # Speed: the whole corpus as one long conversation (cross-segment context, three passes).
    segments = [(speaker, whisper) for r in records for speaker, _, whisper in r.lines]
    started = time.perf_counter()
    redactor.redact_segments(segments)
    seconds = time.perf_counter() - started
    shown = corpus.relative_to(Path.cwd()) if corpus.is_relative_to(Path.cwd()) else corpus
    table = markdown(result, shown, corpus_lines(records))
    chars = sum(len(t) for _, t in segments)
    table += (
        f"\n\nSpeed: the {len(segments)} utterances ({chars:,} characters) redacted as one conversation "
        f"in {seconds:.2f} s ({chars / seconds:,.0f} characters / s; one process, one thread; "
        f"the tagger was already loaded; load average {os.getloadavg()[0]:.1f} while measuring)."
    )
    write_section(output, "redaction", table)
    typer.echo(table)
    if show:
        for rid, text in result.leaks:
            typer.echo(f"LEAK {rid}: {text!r}")
        for rid, figure, text in result.lost:
            typer.echo(f"LOST {rid} {figure}: {text!r}")
