"""``voc webhooks``: create (secret once), list, the delivery log, retry, delete."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session
from typer.testing import CliRunner

from voc.assembly import build_runtime
from voc.cli.main import app as cli
from voc.settings import Settings
from voc.webhooks.outbox import enqueue_event


def test_webhooks_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"VOC_DATA_DIR": str(tmp_path / "var"), "VOC_DATABASE_URL": ""}
    created = runner.invoke(
        cli, ["webhooks", "create", "https://crm.example.co.jp/hook", "-e", "customer.flagged"], env=env
    )
    assert created.exit_code == 0, created.output
    assert created.stdout.strip().startswith("whsec_")
    listed = json.loads(runner.invoke(cli, ["webhooks", "list", "--json"], env=env).stdout)
    assert listed[0]["events"] == ["customer.flagged"] and "secret" not in listed[0]
    rt = build_runtime(Settings(_env_file=None, data_dir=tmp_path / "var"))
    with Session(rt.engine) as session:
        enqueue_event(session, "customer.flagged", {"customer_id": "C1", "flag": "churn_risk"})
        session.commit()
    rt.close()
    log = json.loads(runner.invoke(cli, ["webhooks", "deliveries", "1", "--json"], env=env).stdout)
    assert log[0]["status"] == "pending" and "payload" not in log[0]
    assert runner.invoke(cli, ["webhooks", "retry", str(log[0]["id"])], env=env).exit_code != 0
    bad = runner.invoke(cli, ["webhooks", "create", "ftp://x", "-e", "customer.flagged"], env=env)
    assert bad.exit_code != 0
    assert runner.invoke(cli, ["webhooks", "delete", "1"], env=env).exit_code == 0
    assert json.loads(runner.invoke(cli, ["webhooks", "list", "--json"], env=env).stdout) == []
