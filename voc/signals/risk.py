"""Each customer's risk and health, computed when their flags are and stored (``customer_risk``).

``voc.signals.flags.recompute_customer`` (an analysed call, feedback, a re-link, a deleted call) and
``recompute_all`` (every CRM change) call :func:`store_all` with the flags they just brought up to date,
so the at-risk list is ``ORDER BY risk_score DESC LIMIT n`` on an index and a customer's page one row.

What moves the scores, and what refreshes them:

- the customer's own signals and flags: the recompute of that customer, in the same transaction;
- the population (usage rank, the median customer value): only CRM changes move it, and those recompute
  every customer's flags and row (``voc.customers.refresh.refresh_after_records_changed``, set-based);
- time (the recency decay, half-life ``recency_half_life_days``): a row holds the scores as of
  ``computed_at``; every recompute and CRM change renews them, and the workers' daily duty
  (``voc.signals.at_risk.rescore_stale``) renews all once the oldest is a day old. Within a day of
  ``computed_at`` a weight is off by at most 1 − 0.5 ** (1 / 30) ≈ 2.3 % (relative).
- customers written without a refresh: the customer list notices (max ids) and rescores every row
  (``voc.signals.at_risk.backfill``), as ``voc db upgrade`` and start-up do for a database from before.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, insert, text, update
from sqlmodel import Session, select

from voc.db.batches import chunks, literal_in
from voc.db.customers import Customer, CustomerStatus
from voc.db.risk import CustomerRisk
from voc.db.signals import FlagType
from voc.db.types import UTCDateTime
from voc.signals.scores import SIGNAL_RISK_WEIGHTS, CustomerInputs, decay, score_customer

if TYPE_CHECKING:  # types only: voc.signals.flags imports this module to store the rows it computes
    from voc.signals.flags import SignalFact, UsageStats

MAX_EVIDENCE = 5
_FLAG_ORDER: dict[str, int] = {flag.value: i for i, flag in enumerate(FlagType)}


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """One utterance behind a customer's flags, as the at-risk list shows it."""

    type: str
    call_id: str  # the call's external id (ours when it has none)
    segment: int
    start: float
    end: float | None
    text: str
    matched: str | None
    signal_id: int
    call: int  # our call id

    def as_dict(self) -> dict[str, Any]:
        # Every field is a scalar, so a shallow copy is the whole document; dataclasses.asdict deep-copies
        # each value (half of a 50-customer list page's time in the route), and dataclasses.fields per
        # call cost as much as the copy: the names are read once (EVIDENCE_KEYS).
        return {name: getattr(self, name) for name in EVIDENCE_KEYS}

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> EvidenceRef:
        return cls(
            type=doc["type"],
            call_id=doc["call_id"],
            segment=doc["segment"],
            start=doc["start"],
            end=doc["end"],
            text=doc["text"],
            matched=doc["matched"],
            signal_id=doc["signal_id"],
            call=doc["call"],
        )


#: ``EvidenceRef``'s field names, in order: the keys of its document.
EVIDENCE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(EvidenceRef))


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """A customer's risk and health, their flags in force and the evidence, highest weight first."""

    customer_id: str
    name: str | None
    plan: str | None
    monthly_fee: float | None
    risk_score: float
    health_score: int
    flags: list[str]
    evidence: list[EvidenceRef]
    status: str

    @property
    def listed(self) -> bool:
        """On the at-risk list: a flag in force and not churned."""
        return bool(self.flags) and self.status != CustomerStatus.CHURNED

    def as_dict(self) -> dict[str, Any]:
        """``{customer_id, name, plan, monthly_fee, risk_score, health_score, flags, evidence}``."""
        return {
            "customer_id": self.customer_id,
            "name": self.name,
            "plan": self.plan,
            "monthly_fee": self.monthly_fee,
            "risk_score": self.risk_score,
            "health_score": self.health_score,
            "flags": list(self.flags),
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True, slots=True)
class Population:
    """What a customer's scores are relative to: usage of the whole base and the median value."""

    usage: UsageStats
    reference: float | None


def in_flag_order(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda f: _FLAG_ORDER.get(f, len(_FLAG_ORDER)))


def ranked_evidence(facts: Sequence[SignalFact], now: datetime, half_life_days: float) -> list[EvidenceRef]:
    """The heaviest pieces of evidence (type weight × score × recency), each signal once."""

    def weight(f: SignalFact) -> float:
        return SIGNAL_RISK_WEIGHTS.get(f.type, 0.0) * f.score * decay(f.at, now, half_life_days)

    seen: set[int] = set()
    out = []
    for fact in sorted(facts, key=weight, reverse=True):
        if fact.signal_id in seen:
            continue
        seen.add(fact.signal_id)
        out.append(
            EvidenceRef(
                type=fact.type,
                call_id=fact.call_ref,
                segment=fact.segment_idx,
                start=round(fact.start, 2),
                end=None if fact.end is None else round(fact.end, 2),
                text=fact.text,
                matched=fact.matched,
                signal_id=fact.signal_id,
                call=fact.call_pk,
            )
        )
    return out[:MAX_EVIDENCE]


def assess(
    customer: CustomerInputs,
    facts: Sequence[SignalFact],
    flags: Mapping[str, Sequence[SignalFact]],
    population: Population,
    now: datetime,
    half_life_days: float,
) -> RiskAssessment:
    """The scores of ``customer`` from their signals and the flags in force with each one's support."""
    names = in_flag_order(flags)
    support = {name: flags[name] for name in names}
    scores = score_customer(
        customer,
        facts,
        support,
        usage=population.usage,
        reference=population.reference,
        now=now,
        half_life_days=half_life_days,
    )
    return RiskAssessment(
        customer_id=customer.customer_id,
        name=customer.name,
        plan=customer.plan,
        monthly_fee=customer.monthly_fee,
        risk_score=scores.risk_score,
        health_score=scores.health_score,
        flags=names,
        evidence=ranked_evidence([f for name in names for f in support[name]], now, half_life_days),
        status=customer.status,
    )


def _values(assessment: RiskAssessment) -> dict[str, Any]:
    return {
        "customer_id": assessment.customer_id,
        "risk_score": assessment.risk_score,
        "health_score": assessment.health_score,
        "listed": assessment.listed,
        "flags": list(assessment.flags),
        "evidence": [e.as_dict() for e in assessment.evidence],
    }


#: Below this many customers the stored rows are read by key, above it all at once (one scan).
CHUNK_SUBSET = 2_000
_COMPARED = ("customer_id", "risk_score", "health_score", "listed", "flags", "evidence")


def store_all(session: Session, assessments: Mapping[int, RiskAssessment], now: datetime) -> int:
    """Write many rows in bulk statements (a CRM refresh, the backfill): the new ones inserted, the
    changed ones updated by key (Core executemany: no ORM object per row), and every given row stamped
    ``now`` (all were recomputed as of ``now``). Returns how many rows were inserted or changed."""
    table: Table = CustomerRisk.__table__  # type: ignore[attr-defined]
    compared = [table.c[c] for c in _COMPARED]
    query = select(table.c.customer_pk, *compared)
    everyone = len(assessments) > CHUNK_SUBSET
    stored: dict[int, list[Any]] = {}
    for chunk in [None] if everyone else chunks(list(assessments)):
        where = query if chunk is None else query.where(table.c.customer_pk.in_(literal_in(chunk)))
        stored.update({pk: list(rest) for pk, *rest in session.execute(where).all()})
    new, changed = [], []
    for pk, assessment in assessments.items():
        values = _values(assessment)
        if pk not in stored:
            new.append({"customer_pk": pk, **values, "computed_at": now})
        elif stored[pk] != [values[c] for c in _COMPARED]:
            changed.append({"b_pk": pk, **values, "computed_at": now})
    kept = [pk for pk in assessments if pk in stored]
    if kept:
        stamp = update(table).values(computed_at=now)
        if everyone and len(kept) == len(stored):  # every row: no list of keys
            session.execute(stamp)
        else:
            for chunk in chunks(kept):
                session.execute(stamp.where(table.c.customer_pk.in_(literal_in(chunk))))
    if changed and session.get_bind().dialect.name == "postgresql":
        _update_from_json(session, changed, now)
    elif changed:
        # SET from the parameters' keys (the compared columns and computed_at), one executemany.
        session.execute(update(table).where(table.c.customer_pk == bindparam("b_pk")), changed)
    if new:
        session.execute(insert(table), new)
    for obj in list(session.identity_map.values()):  # rows loaded before are stale now
        if isinstance(obj, CustomerRisk):
            session.expire(obj)
    return len(new) + len(changed)


#: The rows of an UPDATE on PostgreSQL as one JSON document: an executemany of 20,000 updates is 20,000
#: statements in psycopg's pipeline (measured 3.4 s in a CRM import), this is one.
_UPDATE_FROM_JSON = text(
    """
    UPDATE customer_risk AS r
    SET customer_id = v.customer_id, risk_score = v.risk_score, health_score = v.health_score,
        listed = v.listed, flags = v.flags, evidence = v.evidence, computed_at = :now
    FROM json_to_recordset(CAST(:rows AS json)) AS v(
        b_pk integer, customer_id text, risk_score double precision, health_score integer,
        listed boolean, flags json, evidence json
    )
    WHERE r.customer_pk = v.b_pk
    """
).bindparams(bindparam("now", type_=UTCDateTime()))


def _update_from_json(session: Session, changed: list[dict[str, Any]], now: datetime) -> None:
    doc = json.dumps([{k: v for k, v in row.items() if k != "computed_at"} for row in changed])
    session.execute(_UPDATE_FROM_JSON, {"rows": doc, "now": now})


def from_row(row: CustomerRisk, customer: Customer) -> RiskAssessment:
    return RiskAssessment(
        customer_id=customer.customer_id,
        name=customer.name,
        plan=customer.plan,
        monthly_fee=customer.monthly_fee,
        risk_score=row.risk_score,
        health_score=row.health_score,
        flags=list(row.flags),
        evidence=[EvidenceRef.from_dict(e) for e in row.evidence],
        status=customer.status,
    )
