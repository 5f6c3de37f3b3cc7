"""KWIC: a word is found in all its forms, a phrase as written, each hit with call, speaker and second."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from voc.db.calls import Call, Segment
from voc.nlp.toolkit import TextToolkit
from voc.search.kwic import kwic, query_token

LINES = [
    ("operator", 0.0, 2.0, "お電話ありがとうございます。料金が高いとのことで申し訳ございません。"),
    ("customer", 2.5, 5.0, "毎月の料金が高すぎると思います。"),
    ("customer", 5.5, 8.0, "先月はもっと高かったし、コスパが悪いです。"),
    ("customer", 8.5, 10.0, "料金は高くはないんですが、つながらないんです。"),
]


def _store(engine: Engine, toolkit: TextToolkit) -> int:
    with Session(engine) as session:
        call = Call(audio_sha256="d" * 64, external_id="K-1", started_at=datetime(2026, 11, 1, tzinfo=UTC))
        session.add(call)
        session.flush()
        assert call.id is not None
        for idx, (speaker, start, end, text) in enumerate(LINES):
            session.add(
                Segment(
                    call_id=call.id,
                    idx=idx,
                    speaker=speaker,
                    start=start,
                    end=end,
                    text=text,
                    tokens=toolkit.tokenizer(text),
                )
            )
        session.commit()
        return call.id


def test_a_word_is_found_in_every_form(engine: Engine, toolkit: TextToolkit) -> None:
    _store(engine, toolkit)
    with Session(engine) as session:
        hits = kwic(session, "高い", toolkit.tokenizer)
    assert [h.match for h in hits] == ["高い", "高すぎる", "高かっ"]  # the morpheme; た is right context
    assert hits[2].right.startswith("たし")
    assert hits[1].speaker == "customer" and hits[1].start == 2.5 and hits[1].external_id == "K-1"
    assert hits[1].left.endswith("料金が") and hits[1].right.startswith("と思います")


def test_negated_form_is_its_own_token(engine: Engine, toolkit: TextToolkit) -> None:
    _store(engine, toolkit)
    assert query_token("高くない", toolkit.tokenizer) == "高い_NEG"
    with Session(engine) as session:
        hits = kwic(session, "高くない", toolkit.tokenizer)
    assert [h.start for h in hits] == [8.5]


def test_speaker_filter_and_domain_terms(engine: Engine, toolkit: TextToolkit) -> None:
    _store(engine, toolkit)
    with Session(engine) as session:
        assert [h.speaker for h in kwic(session, "高い", toolkit.tokenizer, speaker="customer")] == [
            "customer",
            "customer",
        ]
        assert [h.match for h in kwic(session, "コスパ", toolkit.tokenizer)] == ["コスパ"]


def test_a_phrase_is_matched_as_written(engine: Engine, toolkit: TextToolkit) -> None:
    _store(engine, toolkit)
    with Session(engine) as session:
        hits = kwic(session, "料金が高", toolkit.tokenizer)
        assert len(hits) == 2
        assert kwic(session, "   ", toolkit.tokenizer) == []
        assert kwic(session, "存在しない言葉", toolkit.tokenizer) == []
