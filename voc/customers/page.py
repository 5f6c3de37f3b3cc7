"""One customer's page: the record with its phones, risk and health, flags with evidence, the flag history
and the timeline of calls (the API's ``GET /api/v1/customers/{id}``; names binding).

Four statements built once, read as plain rows on the session's connection (a read writes nothing): the
record with its risk row, then its phones, its flag history and its calls, each by an index.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from voc.db.calls import Call
from voc.db.customers import Customer, CustomerBase, CustomerPhone
from voc.db.risk import CustomerRisk
from voc.db.signals import CustomerFlagEvent
from voc.signals.at_risk import customer_scores
from voc.signals.params import SignalParams

#: The record's fields as ``CustomerPublic`` names them (its phones come from their own table).
RECORD_FIELDS: tuple[str, ...] = (*CustomerBase.model_fields, "attributes", "created_at", "updated_at")

_PK = sa.bindparam("pk", type_=sa.Integer)

RECORD = (
    sa.select(
        col(Customer.id),
        *(col(getattr(Customer, name)) for name in RECORD_FIELDS),
        col(CustomerRisk.risk_score),
        col(CustomerRisk.health_score),
        col(CustomerRisk.flags),
        col(CustomerRisk.evidence),
    )
    .outerjoin(CustomerRisk, col(CustomerRisk.customer_pk) == col(Customer.id))
    .where(col(Customer.customer_id) == sa.bindparam("customer_id", type_=sa.String))
)
PHONES = sa.select(col(CustomerPhone.e164)).where(col(CustomerPhone.customer_pk) == _PK)
HISTORY = (
    sa.select(col(CustomerFlagEvent.flag), col(CustomerFlagEvent.event), col(CustomerFlagEvent.at))
    .where(col(CustomerFlagEvent.customer_pk) == _PK)
    .order_by(col(CustomerFlagEvent.at).desc())
)
#: The columns the timeline shows, not whole call rows.
CALLS = (
    sa.select(
        col(Call.id), col(Call.external_id), col(Call.started_at), col(Call.status), col(Call.duration_s)
    )
    .where(col(Call.customer_pk) == _PK)
    .order_by(col(Call.started_at).desc())
)


def customer_page(session: Session, customer_id: str, params: SignalParams) -> dict[str, Any] | None:
    """The page of ``customer_id`` as a plain document (``None``: no such customer). A customer without
    a risk row yet (written without a refresh) is scored from scratch, as the lists do."""
    connection = session.connection()
    row = connection.execute(RECORD, {"customer_id": customer_id}).first()
    if row is None:
        return None
    record = row._mapping
    pk = record["id"]
    if record["risk_score"] is not None:
        risk, health, flags = record["risk_score"], record["health_score"], list(record["flags"])
        evidence: list[dict[str, Any]] = list(record["evidence"])
    else:
        scores = customer_scores(session, pk, params)
        assert scores is not None  # the customer was just read
        risk, health, flags = scores.risk_score, scores.health_score, scores.flags
        evidence = [e.as_dict() for e in scores.evidence]
    by_pk = {"pk": pk}
    return {
        **{name: record[name] for name in RECORD_FIELDS},
        "phones": list(connection.execute(PHONES, by_pk).scalars().all()),
        "risk_score": risk,
        "health_score": health,
        "flags": flags,
        "evidence": evidence,
        "flag_history": [
            {"flag": flag, "event": event, "at": at.isoformat()}
            for flag, event, at in connection.execute(HISTORY, by_pk).all()
        ],
        "calls": [
            {"id": call, "external_id": ref, "started_at": at, "status": status, "duration": duration}
            for call, ref, at, status, duration in connection.execute(CALLS, by_pk).all()
        ],
    }
