"""The audit log: uploads, plays, downloads and deletions are recorded with the key and the IP; admins
read it."""

from __future__ import annotations

from tests.api.conftest import ClientFor
from tests.api.test_calls_api import wav_bytes


def test_uploads_plays_downloads_and_deletes_are_audited(client_for: ClientFor) -> None:
    supervisor, admin = client_for("supervisor"), client_for("admin")
    call = supervisor.post("/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}).json()
    again = supervisor.post("/api/v1/calls", files={"file": ("c.wav", wav_bytes(), "audio/wav")}).json()
    assert again["duplicate"]  # the same recording again: not a second upload in the log
    url = f"/api/v1/calls/{call['id']}/audio"
    played = supervisor.get(url)
    assert played.headers["content-disposition"].startswith("inline")
    supervisor.get(url, headers={"Range": "bytes=100-199"})  # the same play, seeking: not a new entry
    downloaded = supervisor.get(url, params={"download": True})
    assert downloaded.headers["content-disposition"].startswith("attachment")
    assert admin.delete(f"/api/v1/calls/{call['id']}").status_code == 204
    items = admin.get("/api/v1/audit").json()["items"]
    assert [(e["action"], e["resource_id"], e["role"]) for e in items] == [
        ("call.delete", str(call["id"]), "admin"),
        ("audio.download", str(call["id"]), "supervisor"),
        ("audio.play", str(call["id"]), "supervisor"),
        ("call.upload", str(call["id"]), "supervisor"),
    ]
    assert all(e["ip"] and e["key_id"] and e["key_name"] for e in items)
    assert items[-1]["detail"] == {"bytes": len(wav_bytes()), "shares_audio_with": None}
    only = admin.get("/api/v1/audit", params={"action": "audio.play"}).json()["items"]
    assert len(only) == 1
    page = admin.get("/api/v1/audit", params={"limit": 3}).json()
    rest = admin.get("/api/v1/audit", params={"cursor": page["next_cursor"]}).json()
    assert [e["id"] for e in page["items"] + rest["items"]] == [e["id"] for e in items]
    assert admin.get("/api/v1/audit", params={"since": "2026-01-01T00:00:00"}).status_code == 422


def test_only_admins_read_the_audit_log(client_for: ClientFor) -> None:
    for role in ("supervisor", "analyst", "integration"):
        assert client_for(role).get("/api/v1/audit").status_code == 403
