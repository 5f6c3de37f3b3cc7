"""Enum columns: stored as their text (the values the API and older rows hold), read back as members."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from voc.db.calls import Call, CallStatus


def test_a_status_is_stored_as_its_text_and_read_back_as_a_member(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Call(audio_sha256="a" * 64, status=CallStatus.DONE))
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(Call.status)).one() is CallStatus.DONE
        raw = session.connection().execute(text("SELECT status FROM calls")).scalar_one()
        assert raw == "done" and type(raw) is str


def test_a_filter_on_an_unknown_value_matches_nothing(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Call(audio_sha256="b" * 64))
        session.commit()
        assert session.exec(select(Call).where(Call.status == "bogus")).all() == []
        assert session.exec(select(Call.status)).one() is CallStatus.QUEUED
