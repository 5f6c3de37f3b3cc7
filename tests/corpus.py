"""Calls with known themes stored as if transcribed: an operator greeting plus what the customer said.

Shared by the topic tests and the browser tests' seed data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC

from sqlmodel import Session

from tests.topics.synthetic import Utterance
from voc.db.calls import Call, CallStatus, Segment
from voc.nlp.toolkit import TextToolkit

GREETING = "お電話ありがとうございます。サポートセンターでございます。"


def store_corpus(
    session: Session, toolkit: TextToolkit, utterances: Sequence[Utterance], *, prefix: str
) -> dict[int, str]:
    """One finished call per utterance; returns call id → theme. Not committed."""
    themes: dict[int, str] = {}
    for i, u in enumerate(utterances):
        call = Call(
            audio_sha256=hashlib.sha256(f"{prefix}-{i}".encode()).hexdigest(),
            external_id=f"{prefix}-{i:03d}",
            status=CallStatus.DONE,
            started_at=u.timestamp.replace(tzinfo=UTC),
            duration_s=6.0,
        )
        session.add(call)
        session.flush()
        assert call.id is not None
        for idx, (speaker, start, end, text) in enumerate(
            [("operator", 0.0, 2.0, GREETING), ("customer", 2.5, 6.0, u.text)]
        ):
            session.add(
                Segment(call_id=call.id, idx=idx, speaker=speaker, start=start, end=end, text=text,
                        tokens=toolkit.tokenizer(text))
            )  # fmt: skip
        themes[call.id] = u.theme
    return themes
