"""Audio retention: old finished calls lose their audio (410) but keep their analysis; queued ones keep it."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from tests.api.conftest import make_key
from voc.db.audit import AuditEntry
from voc.db.calls import Call, CallStatus, Segment
from voc.db.types import utcnow
from voc.privacy.retention import apply_retention
from voc.runtime import Runtime


def test_retention_deletes_old_audio_and_keeps_the_analysis(runtime: Runtime) -> None:
    now = utcnow()
    store = runtime.store
    files = [store.put([b"RIFF" + bytes([i]) * 100]) for i in range(3)]
    with Session(runtime.engine) as session:
        old = Call(audio_sha256=files[0].sha256, status=CallStatus.DONE, created_at=now - timedelta(days=100))
        queued = Call(
            audio_sha256=files[1].sha256, status=CallStatus.QUEUED, created_at=now - timedelta(days=100)
        )
        recent = Call(
            audio_sha256=files[2].sha256, status=CallStatus.DONE, created_at=now - timedelta(days=5)
        )
        session.add_all([old, queued, recent])
        session.flush()
        assert old.id is not None
        session.add(Segment(call_id=old.id, idx=0, speaker="customer", start=0, end=1, text="解約したい"))
        session.commit()
        old_id = old.id

    with Session(runtime.engine) as session:
        assert apply_retention(session, store, now - timedelta(days=90)) == 1
        session.commit()
    assert not store.exists(files[0].sha256)
    assert store.exists(files[1].sha256) and store.exists(files[2].sha256)
    with Session(runtime.engine) as session:
        assert session.get(Call, old_id) is not None
        assert session.exec(select(Segment).where(Segment.call_id == old_id)).first() is not None
        (entry,) = session.exec(select(AuditEntry).where(AuditEntry.action == "audio.retention")).all()
        assert entry.detail["deleted"] == 1
        assert apply_retention(session, store, now - timedelta(days=90)) == 0, "nothing left to delete"

    headers = {"Authorization": f"Bearer {make_key(runtime, 'analyst')}"}
    with TestClient(create_app(runtime=runtime), headers=headers) as client:
        r = client.get(f"/api/v1/calls/{old_id}/audio")
        assert r.status_code == 410 and r.headers["content-type"].startswith("application/problem+json")
        assert client.get(f"/api/v1/calls/{old_id}").json()["segments"][0]["text"] == "解約したい"


def test_a_recording_shared_with_a_newer_call_is_kept_until_that_one_is_due(runtime: Runtime) -> None:
    now = utcnow()
    store = runtime.store
    audio = store.put([b"RIFF" + b"shared" * 20])
    with Session(runtime.engine) as session:
        session.add_all(
            [
                Call(
                    audio_sha256=audio.sha256,
                    external_id="OLD",
                    status=CallStatus.DONE,
                    created_at=now - timedelta(days=100),
                ),
                Call(
                    audio_sha256=audio.sha256,
                    external_id="NEW",
                    status=CallStatus.DONE,
                    created_at=now - timedelta(days=5),
                ),
            ]
        )
        session.commit()
    with Session(runtime.engine) as session:
        assert apply_retention(session, store, now - timedelta(days=90)) == 0
        assert store.exists(audio.sha256)
        assert apply_retention(session, store, now) == 1
    assert not store.exists(audio.sha256)
