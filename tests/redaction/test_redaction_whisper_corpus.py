"""PII as the bundled Whisper wrote it after a TTS said it: nothing exposed survives, every figure does.

The corpus (``scripts/make_pii_corpus.py``) holds, per exchange, the spoken reference, Whisper's text and
the secrets said; Whisper mishears cues (青年月日, クレジッド, お店は番号), breaks numbers into fragments
and writes e-mail addresses in kana and kanji. The scoring is ``voc.bench.redaction`` (the same as
``voc redaction bench``).
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.redaction.whisper_corpus import corpus
from voc.bench.redaction import carries, has_figure, redact_record, score
from voc.redaction import Redactor
from voc.redaction.reading import Reader

REDACTOR = Redactor(enabled=True)
READER = Reader()


def test_the_corpus_is_varied_and_exercises_every_type() -> None:
    records = corpus()
    by_type = Counter(r.type for r in records)
    assert set(by_type) >= {
        "phone", "card", "security_code", "email", "address", "postal_code", "birth_date", "my_number",
        "bank_account", "name", "none",
    }  # fmt: skip
    assert all(n >= 8 for n in by_type.values())
    assert len({r.family for r in records}) >= 15, "several phrasings per type"
    assert sum(len(r.lines) for r in records) >= 150
    # Whisper really did change what was said (this is not the clean text again).
    changed = sum(spoken != whisper for r in records for _, spoken, whisper in r.lines)
    assert changed > sum(len(r.lines) for r in records) / 2


def test_no_exposed_secret_survives_and_no_figure_is_lost() -> None:
    result = score(corpus(), REDACTOR, READER)
    total = result.total()
    assert total.exposed > 0.6 * total.secrets, "most secrets are still in Whisper's text"
    assert result.leaks == []
    assert total.figures_written > 20
    assert result.lost == []


@pytest.mark.parametrize("record", [r for r in corpus() if r.type == "name"], ids=lambda r: r.id)
def test_names_are_redacted_by_spelling_and_by_sound(record: object) -> None:
    from voc.bench.redaction import CorpusRecord

    assert isinstance(record, CorpusRecord)
    raw = "\n".join(w for _, _, w in record.lines)
    redacted = "\n".join(redact_record(record, REDACTOR))
    for secret in record.secrets:
        if carries(raw, secret, READER):
            assert not carries(redacted, secret, READER), redacted
    for figure in record.keep:
        if has_figure(raw, figure):
            assert has_figure(redacted, figure), redacted
