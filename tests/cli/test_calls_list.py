"""``voc calls list`` says first whether anyone works the queue: calls that never move must say why."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session

from tests.cli.test_cli import voc
from voc.db.calls import Call
from voc.db.engine import make_engine
from voc.db.migrate import upgrade
from voc.pipeline.worker import heartbeat


def test_the_list_names_a_missing_worker_then_a_live_one(tmp_path: Path) -> None:
    (tmp_path / "var").mkdir()
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'voc.db'}")
    try:
        upgrade(engine)
        with Session(engine) as session:
            session.add(Call(audio_sha256="b" * 64, original_filename="waiting.wav"))
            session.commit()
        out = voc("calls", "list", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        first, *rows = out.stdout.splitlines()
        assert first.startswith("workers 0 alive · 1 queued, oldest ")
        assert "no worker alive" in first
        assert any("waiting.wav" in row and "queued" in row for row in rows)

        as_json = voc("calls", "list", "--json", cwd=tmp_path)
        assert [c["status"] for c in json.loads(as_json.stdout)] == ["queued"]
        assert "no worker alive" in as_json.stderr

        heartbeat(engine, "host:1:w0")
        out = voc("calls", "list", cwd=tmp_path)
        assert out.stdout.splitlines()[0].startswith("workers 1 alive · 1 queued")
        assert "no worker alive" not in out.stdout
        assert voc("calls", "list", "--json", cwd=tmp_path).stderr == ""
    finally:
        engine.dispose()
