"""Uploading and reading calls over HTTP: 202 + status URL, sniffing, size limits, nothing half-stored."""

from __future__ import annotations

import io
import wave
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.signals.helpers import add_signal_call
from voc.customers.records import upsert_customer
from voc.db.calls import Call, CallStatus
from voc.db.customers import CustomerCreate
from voc.db.signals import CustomerFlag, SignalType
from voc.db.types import utcnow
from voc.runtime import Runtime
from voc.signals.flags import recompute_customer
from voc.signals.params import SignalParams


def wav_bytes(seconds: float = 0.5, channels: int = 2, rate: int = 8000, seed: int = 0) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes([seed % 256, 0]) * int(seconds * rate) * channels)
    return buf.getvalue()


def upload(client: TestClient, data: bytes, name: str = "call.wav", **form: str) -> object:
    return client.post("/api/v1/calls", files={"file": (name, data, "audio/wav")}, data=form)


def test_upload_is_accepted_with_a_status_url(client: TestClient, runtime: Runtime) -> None:
    r = client.post(
        "/api/v1/calls",
        files={"file": ("c.wav", wav_bytes(), "audio/wav")},
        data={"call_id": "EXT-1", "agent": "佐藤", "started_at": "2026-11-02T10:00:00+09:00"},
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] == "queued" and body["external_id"] == "EXT-1" and not body["duplicate"]
    status = client.get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["external_id"] == "EXT-1"
    assert client.get("/api/v1/calls/EXT-1").json()["id"] == body["id"]
    assert runtime.store.exists(client.get("/api/v1/calls").json()["items"][0]["audio_sha256"])


def test_same_file_twice_is_one_call(client: TestClient) -> None:
    first = client.post("/api/v1/calls", files={"file": ("a.wav", wav_bytes(), "audio/wav")}).json()
    second = client.post("/api/v1/calls", files={"file": ("b.wav", wav_bytes(), "audio/wav")}).json()
    assert first["id"] == second["id"] and second["duplicate"]


def test_idempotency_key_makes_retries_safe(client: TestClient) -> None:
    headers = {"Idempotency-Key": "retry-123"}
    a = client.post(
        "/api/v1/calls", files={"file": ("a.wav", wav_bytes(seed=1), "audio/wav")}, headers=headers
    )
    b = client.post(
        "/api/v1/calls", files={"file": ("a.wav", wav_bytes(seed=1), "audio/wav")}, headers=headers
    )
    assert a.status_code == b.status_code == 202
    assert a.json()["id"] == b.json()["id"]
    assert len(client.get("/api/v1/calls").json()["items"]) == 1


def test_non_audio_is_415_and_nothing_is_stored(client: TestClient, runtime: Runtime) -> None:
    r = client.post("/api/v1/calls", files={"file": ("fake.wav", b"%PDF-1.4 not audio at all", "audio/wav")})
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 415 and "音声" in r.json()["detail"]
    with Session(runtime.engine) as session:
        assert session.exec(select(Call)).all() == []


def test_empty_upload_is_422(client: TestClient) -> None:
    r = client.post("/api/v1/calls", files={"file": ("e.wav", b"", "audio/wav")})
    assert r.status_code == 422


def test_oversize_upload_is_413_and_leaves_nothing(client: TestClient, runtime: Runtime) -> None:
    runtime.settings.max_upload_mb = 1
    r = client.post("/api/v1/calls", files={"file": ("big.wav", wav_bytes(seconds=70), "audio/wav")})
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    with Session(runtime.engine) as session:
        assert session.exec(select(Call)).all() == []
    leftovers = list(runtime.store.root.rglob("*")) if runtime.store.root.exists() else []
    assert [p for p in leftovers if p.is_file()] == []


def test_unknown_customer_is_404_and_leaves_no_file(client: TestClient, runtime: Runtime) -> None:
    r = client.post(
        "/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}, data={"customer_id": "NOPE"}
    )
    assert r.status_code == 404
    assert not [p for p in runtime.store.root.rglob("*") if p.is_file()]


def test_bad_metadata_is_422(client: TestClient) -> None:
    r = client.post(
        "/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}, data={"started_at": "yesterday"}
    )
    assert r.status_code == 422
    r = client.post(
        "/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}, data={"channels": "quad"}
    )
    assert r.status_code == 422


def test_unknown_call_is_404_problem(client: TestClient) -> None:
    r = client.get("/api/v1/calls/does-not-exist")
    assert r.status_code == 404
    assert r.json()["title"] == "Not Found"


def test_list_pages_with_a_cursor(client: TestClient) -> None:
    ids = [
        client.post("/api/v1/calls", files={"file": ("c.wav", wav_bytes(seed=i), "audio/wav")}).json()["id"]
        for i in range(5)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/calls", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    assert client.get("/api/v1/calls", params={"cursor": "!!!"}).status_code == 422


def test_audio_supports_range_requests(client: TestClient) -> None:
    data = wav_bytes()
    call = client.post("/api/v1/calls", files={"file": ("c.wav", data, "audio/wav")}).json()
    whole = client.get(f"/api/v1/calls/{call['id']}/audio")
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "audio/wav"
    part = client.get(f"/api/v1/calls/{call['id']}/audio", headers={"Range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == data[:100]


def test_delete_removes_call_and_audio(client: TestClient, runtime: Runtime) -> None:
    call = client.post("/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}).json()
    assert client.delete(f"/api/v1/calls/{call['id']}").status_code == 204
    assert client.get(f"/api/v1/calls/{call['id']}").status_code == 404
    assert not [p for p in runtime.store.root.rglob("*") if p.is_file()]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.json()["checks"]["database"] == "ok"
    assert ready.status_code in (200, 503)


def test_list_sorts_by_call_time_and_pages_stably(client: TestClient) -> None:
    times = [
        "2026-11-03T10:00:00+09:00",
        "2026-11-01T10:00:00+09:00",
        "2026-11-02T10:00:00+09:00",
        "2026-11-02T10:00:00+09:00",
    ]
    ids = [
        client.post(
            "/api/v1/calls",
            files={"file": ("c.wav", wav_bytes(seed=30 + i), "audio/wav")},
            data={"started_at": t},
        ).json()["id"]
        for i, t in enumerate(times)
    ]
    for sort, expected in (
        ("newest", [ids[0], ids[3], ids[2], ids[1]]),
        ("oldest", [ids[1], ids[2], ids[3], ids[0]]),
    ):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": 1, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/api/v1/calls", params=params).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == expected, sort


def test_list_filters_by_signal_and_topic(client: TestClient, runtime: Runtime) -> None:
    from voc.db.signals import CallSignalRow
    from voc.db.topics import Topic, TopicAssignment, TopicModelVersion

    a = client.post("/api/v1/calls", files={"file": ("a.wav", wav_bytes(seed=50), "audio/wav")}).json()["id"]
    b = client.post("/api/v1/calls", files={"file": ("b.wav", wav_bytes(seed=51), "audio/wav")}).json()["id"]
    with Session(runtime.engine) as session:
        session.add(
            CallSignalRow(
                call_id=a,
                segment_idx=0,
                type=SignalType.VALUE_COMPLAINT,
                score=0.9,
                speaker="customer",
                start=1.0,
                end=2.0,
                text="高すぎます",
            )
        )
        version = TopicModelVersion(n_topics=2, n_docs=2, blob=b"", active=True)
        session.add(version)
        session.flush()
        assert version.id is not None
        topic = Topic(version_id=version.id, index=1, label="料金・高い")
        session.add(topic)
        session.add(TopicAssignment(call_id=b, version_id=version.id, topic_index=1, weight=0.5))
        session.commit()
        topic_id = topic.id
    assert [
        c["id"] for c in client.get("/api/v1/calls", params={"signal": "value_complaint"}).json()["items"]
    ] == [a]
    assert [c["id"] for c in client.get("/api/v1/calls", params={"topic": topic_id}).json()["items"]] == [b]
    assert client.get("/api/v1/calls", params={"topic": 999}).status_code == 404


def test_retry_replays_only_failed_calls(client: TestClient, runtime: Runtime) -> None:
    call_id = client.post("/api/v1/calls", files={"file": ("a.wav", wav_bytes(seed=60), "audio/wav")}).json()[
        "id"
    ]
    assert client.post(f"/api/v1/calls/{call_id}/retry").status_code == 409
    with Session(runtime.engine) as session:
        call = session.get(Call, call_id)
        assert call is not None
        call.status, call.error, call.attempts = CallStatus.DEAD, "3 attempts", 3
        session.add(call)
        session.commit()
    r = client.post(f"/api/v1/calls/{call_id}/retry")
    assert r.status_code == 202 and r.json()["status"] == "queued"
    detail = client.get(f"/api/v1/calls/{call_id}").json()
    assert detail["status"] == "queued" and detail["error"] is None and detail["attempts"] == 0


def test_metadata_check_reads_shift_jis_and_names_every_bad_row(supervisor_client: TestClient) -> None:
    csv = (
        "call_id,file,agent,started_at,channels,customer_id,caller_number\r\n"
        "M1,rec/a.flac,田中,2026-11-02 10:00,Stereo,,\r\n"
        "M2,b.flac,佐藤,昨日,mono,,\r\n"
        "M3,c.flac,髙橋,,MONO,,\r\n"
        "M4,d.flac,,,quad,,\r\n"
    ).encode("cp932")
    r = supervisor_client.post("/api/v1/calls/metadata", files={"file": ("calls.csv", csv, "text/csv")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(row["file"], row["channels"]) for row in body["rows"]] == [
        ("rec/a.flac", "stereo_operator_left"),
        ("c.flac", "mono"),
    ]
    assert body["rows"][1]["agent"] == "髙橋"
    assert [e["line"] for e in body["errors"]] == [3, 5]


def test_channels_stereo_and_any_case_are_accepted_on_upload(client: TestClient) -> None:
    r = client.post(
        "/api/v1/calls",
        files={"file": ("s.wav", wav_bytes(seed=70), "audio/wav")},
        data={"channels": "Stereo"},
    )
    assert r.status_code == 202, r.text
    assert client.get(f"/api/v1/calls/{r.json()['id']}").json()["channels"] == "stereo_operator_left"


def test_the_same_file_under_a_new_call_id_is_a_new_call_sharing_the_audio(
    client: TestClient, runtime: Runtime
) -> None:
    data = wav_bytes(seed=80)

    def send(**form: str) -> dict[str, Any]:
        r = client.post("/api/v1/calls", files={"file": ("c.wav", data, "audio/wav")}, data=form)
        assert r.status_code == 202, r.text
        body: dict[str, Any] = r.json()
        return body

    a, b, c, d = send(call_id="CRM-1"), send(call_id="CRM-1"), send(call_id="CRM-2"), send()
    assert b["id"] == a["id"] and b["duplicate"]
    assert c["id"] != a["id"] and not c["duplicate"] and c["shares_audio_with"] == a["id"]
    assert d["id"] == a["id"] and d["duplicate"]
    assert client.get("/api/v1/calls/CRM-2").json()["status"] == "queued"
    with Session(runtime.engine) as session:
        shared = session.get(Call, c["id"])
        assert shared is not None
        sha = shared.audio_sha256
    # Deleting one of them keeps the recording the other still needs.
    assert client.delete("/api/v1/calls/CRM-1").status_code == 204
    assert runtime.store.exists(sha)
    assert client.get("/api/v1/calls/CRM-2/audio").status_code == 200
    assert client.delete("/api/v1/calls/CRM-2").status_code == 204
    assert not runtime.store.exists(sha)


def test_deleting_a_call_takes_its_evidence_out_of_flags_and_the_at_risk_list(
    admin_client: TestClient, runtime: Runtime
) -> None:
    with Session(runtime.engine) as session:
        customer, _ = upsert_customer(
            session, CustomerCreate(customer_id="D1", usage_rate=0.5, monthly_fee=5000)
        )
        assert customer.id is not None
        for ref, days in (("DEL-1", 1), ("DEL-2", 3)):
            at = utcnow() - timedelta(days=days)
            said = f"{ref}で解約したいと言いました"
            add_signal_call(
                session, ref, SignalType.CHURN_INTENT, said, customer_pk=customer.id, started_at=at
            )
        recompute_customer(session, customer.id, SignalParams())  # as the signals stage does
        session.commit()

    def evidence_calls() -> tuple[list[str], set[str], set[str]]:
        page = admin_client.get("/api/v1/customers/D1").json()
        listed = {
            e["call_id"] for item in admin_client.get("/api/v1/at-risk").json() for e in item["evidence"]
        }
        return page["flags"], {e["call_id"] for e in page["evidence"]}, listed

    assert evidence_calls() == (["churn_risk"], {"DEL-1", "DEL-2"}, {"DEL-1", "DEL-2"})
    assert admin_client.delete("/api/v1/calls/DEL-1").status_code == 204
    assert evidence_calls() == (["churn_risk"], {"DEL-2"}, {"DEL-2"})
    with Session(runtime.engine) as session:
        flag = session.exec(select(CustomerFlag)).one()
        assert [e["call_id"] for e in flag.evidence] == ["DEL-2"]
    # The last call gone: the flag is cleared (with its event) and the customer leaves the list.
    assert admin_client.delete("/api/v1/calls/DEL-2").status_code == 204
    page = admin_client.get("/api/v1/customers/D1").json()
    assert (page["flags"], page["evidence"]) == ([], [])
    assert [(e["flag"], e["event"]) for e in page["flag_history"]] == [
        ("churn_risk", "cleared"),
        ("churn_risk", "raised"),
    ]
    assert admin_client.get("/api/v1/at-risk").json() == []


def test_list_filters_by_status_agent_customer_and_call_time(client: TestClient, runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        upsert_customer(session, CustomerCreate(customer_id="F1"))
        session.commit()
    uploads = [
        ("2026-11-01T10:00:00+09:00", "佐藤", "F1"),
        ("2026-11-02T10:00:00+09:00", "鈴木", "F1"),
        ("2026-11-03T10:00:00+09:00", "佐藤", None),
    ]
    ids = []
    for i, (at, agent, customer) in enumerate(uploads):
        form = {"started_at": at, "agent": agent, **({"customer_id": customer} if customer else {})}
        answer = client.post(
            "/api/v1/calls", files={"file": ("c.wav", wav_bytes(seed=60 + i), "audio/wav")}, data=form
        )
        ids.append(answer.json()["id"])
    with Session(runtime.engine) as session:
        done = session.get(Call, ids[0])
        assert done is not None
        done.status = CallStatus.DONE
        session.add(done)
        session.commit()

    def listed(**params: str) -> list[int]:
        answer = client.get("/api/v1/calls", params=params)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()["items"]]

    assert listed() == ids[::-1]
    assert listed(agent="佐藤") == [ids[2], ids[0]]
    assert listed(customer_id="F1") == [ids[1], ids[0]]
    assert listed(agent="佐藤", customer_id="F1") == [ids[0]]
    assert listed(status="done") == [ids[0]]
    assert listed(status="bogus") == []
    assert listed(started_from="2026-11-02T10:00:00+09:00") == [ids[2], ids[1]]
    assert listed(started_to="2026-11-02T10:00:00+09:00") == [ids[0]]
    window = {"started_from": "2026-11-01T12:00:00+09:00", "started_to": "2026-11-03T00:00:00+09:00"}
    assert listed(**window, sort="oldest") == [ids[1]]
    assert client.get("/api/v1/calls", params={"customer_id": "NOPE"}).status_code == 404
