"""`voc examples load` imports the CRM file through the same service as `voc customers import`."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from tests.api.test_calls_api import wav_bytes
from tests.sjis_csv import CRM_BAD_LINES, CRM_GOOD, crm_sjis
from voc.cli.examples import app as examples_app
from voc.db.audit import AuditEntry
from voc.db.calls import Call
from voc.db.customers import Customer
from voc.runtime import Runtime
from voc.services.customer_import import ACTION


def test_examples_load_imports_the_crm_file_as_the_import_command_does(
    runtime: Runtime, tmp_path: Path
) -> None:
    (tmp_path / "crm.csv").write_bytes(crm_sjis())
    (tmp_path / "calls.csv").write_text(
        "call_id,file,agent,started_at,channels,customer_id,caller_number\nX1,a.wav,田中,,stereo,S001,\n",
        encoding="utf-8",
    )
    (tmp_path / "calls").mkdir()
    (tmp_path / "calls" / "a.wav").write_bytes(wav_bytes())
    # A one-command Typer app is that command: no "load" here.
    result = CliRunner().invoke(examples_app, ["--folder", str(tmp_path)], obj={"runtime": runtime})
    assert result.exit_code == 0, result.output
    assert f"{len(CRM_GOOD)} customers and 1 example calls loaded" in result.stdout
    for line in CRM_BAD_LINES:
        assert f"crm.csv line {line}:" in result.stderr
    with Session(runtime.engine) as session:
        call = session.exec(select(Call)).one()
        owner = session.exec(select(Customer).where(Customer.customer_id == "S001")).one()
        assert call.customer_pk == owner.id
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == ACTION)).one()
        upload = session.exec(select(AuditEntry).where(AuditEntry.action == "call.upload")).one()
    assert entry.detail["created"] == len(CRM_GOOD) and entry.key_id is None
    # Files added from the command line are audited too, as the system (no key).
    assert upload.resource_id == str(call.id) and upload.key_id is None
