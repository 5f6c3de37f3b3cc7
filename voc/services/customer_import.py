"""CRM import: the one path for ``voc customers import``, ``voc examples load`` and the API upload.

The file's bytes are decoded as Excel saves them (UTF-8 with or without BOM, Shift_JIS / CP932), each row
validated (bad rows are reported by line, the good ones still load), the records written in bulk (those
as stored already left alone), calls that were waiting for their customer linked and the flags
recomputed once (everyone's when the usage percentiles or the median value moved, else only the customers
written), and an audit entry written, whoever imports. An undecodable file is refused whole
(:class:`CsvEncodingError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from voc.audit.log import record
from voc.csvfiles import decode_csv
from voc.customers.records import import_csv
from voc.customers.refresh import refresh_after_records_changed
from voc.security.keys import Principal
from voc.signals.flags import population
from voc.signals.params import SignalParams

ACTION = "customer.import"


@dataclass(frozen=True, slots=True)
class CustomerImport:
    """What an import did: counts, the rejected rows (line, reason) and the calls it linked."""

    created: int
    updated: int
    errors: list[tuple[int, str]] = field(default_factory=list)
    linked_calls: list[int] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated


def import_customers(
    session: Session,
    data: bytes | Path,
    params: SignalParams,
    *,
    actor: Principal | None,
    ip: str | None = None,
) -> CustomerImport:
    """Import a CRM CSV (its bytes, or the file); ``actor`` is ``None`` on the command line. The caller
    commits (a rejected row changes nothing, so a file with bad rows is still committed)."""
    text = decode_csv(data.read_bytes() if isinstance(data, Path) else data)
    before = population(session, params)  # to tell whether the import moved it (then everyone is rescored)
    report = import_csv(session, text)
    if not report.loaded:  # nothing changed: no flag to recompute, nothing to audit
        return CustomerImport(created=0, updated=0, errors=report.errors)
    refreshed = refresh_after_records_changed(session, params, written=report.customer_pks, before=before)
    linked = refreshed.linked_calls
    record(
        session,
        ACTION,
        "customer",
        None,
        actor=actor,
        ip=ip,
        detail={
            "created": report.created,
            "updated": report.updated,
            "rejected": len(report.errors),
            "linked_calls": len(linked),
        },
    )
    return CustomerImport(
        created=report.created, updated=report.updated, errors=report.errors, linked_calls=linked
    )
