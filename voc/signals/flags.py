"""Customer-level flags from a customer's call signals and CRM record, stored with evidence and history.

- ``cost_performance_gap``: a value complaint from a heavy user. Heavy means usage share at or above the
  absolute threshold (``high_usage_absolute``, 0.7 of days active) *or* in the top quartile (strictly
  above the ``high_usage_percentile``, 75), whichever includes more customers: in a consumer base the
  top quartile, in a B2B base where two thirds use the service daily the absolute threshold (else a
  customer at 0.8 is "not heavy" and their complaint is lost). A share threshold (≤ 1) is ignored when
  the CRM's usage is a metric on another scale (values above 1): the percentile decides there. Heavy
  users who say the service is not worth its price are the churn that satisfaction scores miss.
- ``underuse``: low usage (at or below the low percentile) and a feature struggle: they never managed to
  use what they pay for.
- ``churn_risk``: churn intent, or a competitor mention together with dissatisfaction or a value complaint.
- ``dissatisfied``: dissatisfaction.

Each flag keeps its evidence: every supporting utterance (newest first, at most ``MAX_EVIDENCE``) with
its call, segment, second, text and the words that matched. Signals an analyst dismissed never count.
``recompute_customer`` compares the flags due with those in force and records each transition in
``customer_flag_events`` (``raised`` → webhook ``customer.flagged``, ``cleared`` →
``customer.flag_cleared``). It is idempotent: nothing changes, nothing is recorded.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session, col, select

from voc.db.calls import Call
from voc.db.customers import Customer, CustomerBaseToken
from voc.db.signals import (
    CallSignalRow,
    CustomerFlag,
    CustomerFlagEvent,
    FeedbackLabel,
    FlagEvent,
    FlagType,
    SignalFeedback,
    SignalType,
)
from voc.db.types import utcnow
from voc.signals.feedback import labels_for_calls
from voc.signals.params import SignalParams
from voc.signals.risk import Population, RiskAssessment, assess, store_all
from voc.signals.scores import CustomerInputs, customer_value, reference_value, value_of

log = logging.getLogger(__name__)

FLAG_TYPES: tuple[FlagType, ...] = tuple(FlagType)
EVENT_NAMES: dict[str, str] = {
    FlagEvent.RAISED: "customer.flagged",
    FlagEvent.CLEARED: "customer.flag_cleared",
}
MAX_EVIDENCE = 50
FLAGS: sa.Table = CustomerFlag.__table__  # type: ignore[attr-defined]
FLAG_EVENTS: sa.Table = CustomerFlagEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class SignalFact:
    """One non-dismissed call signal of a customer, with when the call took place."""

    signal_id: int
    call_pk: int
    call_ref: str
    type: str
    score: float
    at: datetime
    start: float
    text: str
    segment_idx: int
    end: float | None = None
    matched: str | None = None  # the words the rule or detector pointed at

    def evidence(self) -> dict[str, Any]:
        return {
            "signal_id": self.signal_id,
            "type": self.type,
            "call_id": self.call_ref,
            "segment": self.segment_idx,
            "start": round(self.start, 2),
            "end": None if self.end is None else round(self.end, 2),
            "text": self.text,
            "matched": self.matched,
            "score": self.score,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class FlagChanges:
    raised: list[str] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.raised or self.cleared)


class HeavyUsageRule(StrEnum):
    """Which threshold decided "heavy user" for this customer base."""

    ABSOLUTE = "absolute"  # usage share at or above ``high_usage_absolute``
    PERCENTILE = "percentile"  # usage strictly above ``high_usage_percentile``


@dataclass(frozen=True, slots=True)
class UsageStats:
    """Usage of every customer that has one (sorted) and the thresholds derived from it.

    ``high`` is the heavy-user threshold in force; ``high_is_absolute`` says whether it is the absolute
    share (at or above) or the percentile (strictly above).
    """

    values: tuple[float, ...]
    high: float | None
    low: float | None
    high_is_absolute: bool = False

    @property
    def high_rule(self) -> HeavyUsageRule:
        return HeavyUsageRule.ABSOLUTE if self.high_is_absolute else HeavyUsageRule.PERCENTILE

    @property
    def heavy_count(self) -> int:
        """How many customers of the base are heavy users."""
        return sum(1 for v in self.values if self.is_high(v))

    def is_high(self, usage: float | None) -> bool:
        if usage is None or self.high is None:
            return False
        return usage >= self.high if self.high_is_absolute else usage > self.high

    def is_low(self, usage: float | None) -> bool:
        return usage is not None and self.low is not None and usage <= self.low

    def rank(self, usage: float | None) -> float | None:
        """Share of customers whose usage is at most ``usage`` (0–1), ``None`` when unknown."""
        if usage is None or not self.values:
            return None
        return bisect.bisect_right(self.values, usage) / len(self.values)


def compute_usage_stats(values: Iterable[float | None], params: SignalParams) -> UsageStats:
    """The thresholds for this base: heavy = absolute share or top percentile, whichever includes more."""
    known = tuple(sorted(float(v) for v in values if v is not None))
    absolute = params.high_usage_absolute
    if not known:
        return UsageStats((), absolute, None, absolute is not None)
    low = float(np.percentile(known, params.low_usage_percentile))
    percentile = float(np.percentile(known, params.high_usage_percentile))
    if absolute is None or absolute <= 1.0 < known[-1]:  # a share threshold on a metric: meaningless
        return UsageStats(known, percentile, low)
    above_percentile = len(known) - bisect.bisect_right(known, percentile)
    at_or_above_absolute = len(known) - bisect.bisect_left(known, absolute)
    if at_or_above_absolute >= above_percentile:
        return UsageStats(known, absolute, low, True)
    return UsageStats(known, percentile, low)


def usage_stats(session: Session, params: SignalParams) -> UsageStats:
    return compute_usage_stats(session.exec(select(Customer.usage_rate)).all(), params)


def derive_flags(
    facts: Sequence[SignalFact], *, high_usage: bool, low_usage: bool
) -> dict[str, list[SignalFact]]:
    """The flags due and the signals that support each (pure: no database)."""
    by_type: dict[str, list[SignalFact]] = {}
    for fact in facts:
        by_type.setdefault(fact.type, []).append(fact)
    value = by_type.get(SignalType.VALUE_COMPLAINT, [])
    dissatisfaction = by_type.get(SignalType.DISSATISFACTION, [])
    competitor = by_type.get(SignalType.COMPETITOR_MENTION, [])
    flags: dict[str, list[SignalFact]] = {}
    if high_usage and value:
        flags[FlagType.COST_PERFORMANCE_GAP] = value
    if low_usage and by_type.get(SignalType.FEATURE_STRUGGLE):
        flags[FlagType.UNDERUSE] = by_type[SignalType.FEATURE_STRUGGLE]
    churn = by_type.get(SignalType.CHURN_INTENT, [])
    if churn or (competitor and (dissatisfaction or value)):
        flags[FlagType.CHURN_RISK] = churn + competitor + ([] if churn else dissatisfaction + value)
    if dissatisfaction:
        flags[FlagType.DISSATISFIED] = dissatisfaction
    return flags


def facts_by_customer(
    session: Session, customer_pks: Iterable[int] | None = None
) -> dict[int, list[SignalFact]]:
    """Every non-dismissed signal of linked calls, grouped by customer, oldest first (the columns a fact
    needs, not whole signal and call rows: after a CRM import this reads every signal)."""
    query = (
        sa.select(  # sqlmodel's select() types at most four columns
            col(CallSignalRow.id),
            col(CallSignalRow.call_id),
            col(CallSignalRow.segment_idx),
            col(CallSignalRow.type),
            col(CallSignalRow.score),
            col(CallSignalRow.start),
            col(CallSignalRow.end),
            col(CallSignalRow.text),
            col(CallSignalRow.matched),
            col(Call.customer_pk),
            col(Call.external_id),
            col(Call.started_at),
            col(Call.created_at),
        )
        .join(Call, col(Call.id) == col(CallSignalRow.call_id))
        .where(col(Call.customer_pk).is_not(None))
    )
    pks = None if customer_pks is None else list(customer_pks)
    if pks is not None:
        query = query.where(col(Call.customer_pk).in_(pks))
    found = session.execute(query).all()
    # Everyone: every label (a small table), not an IN list of every call.
    labels = _dismissed(session, None if pks is None else {row[1] for row in found})
    out: dict[int, list[SignalFact]] = {}
    for row in found:
        sid, call_id, segment_idx, kind, score, start, end, text, matched, owner, ref, started, created = row
        if (call_id, segment_idx, kind) in labels:
            continue
        out.setdefault(owner, []).append(
            SignalFact(
                signal_id=sid,
                call_pk=call_id,
                call_ref=ref or str(call_id),
                type=kind,
                score=score,
                at=started or created,
                start=start,
                text=text,
                segment_idx=segment_idx,
                end=end,
                matched=matched,
            )
        )
    for facts in out.values():
        facts.sort(key=lambda f: (f.at, f.call_pk, f.start))
    return out


def _dismissed(session: Session, call_ids: set[int] | None) -> set[tuple[int, int, str]]:
    """(call, segment, type) of the signals whose latest label is a dismissal."""
    if call_ids is not None:
        labels = labels_for_calls(session, call_ids)
    else:
        rows = session.execute(
            sa.select(
                col(SignalFeedback.call_id),
                col(SignalFeedback.segment_idx),
                col(SignalFeedback.type),
                col(SignalFeedback.label),
            ).order_by(col(SignalFeedback.at), col(SignalFeedback.id))
        ).all()
        labels = {(call, segment, kind): label for call, segment, kind, label in rows}
    return {key for key, label in labels.items() if label == FeedbackLabel.DISMISS}  # type: ignore[misc]


def _evidence(facts: Iterable[SignalFact]) -> list[dict[str, Any]]:
    newest = sorted(facts, key=lambda f: (f.at, f.score), reverse=True)
    seen: set[int] = set()
    out = []
    for fact in newest:
        if fact.signal_id not in seen:
            seen.add(fact.signal_id)
            out.append(fact.evidence())
    return out[:MAX_EVIDENCE]


def customer_inputs(session: Session, customer_pks: Iterable[int] | None = None) -> list[CustomerInputs]:
    """The record columns the flags and scores read, of every given customer (``None``: all), by id: a
    tuple of columns each and the ``ltv`` attribute by JSON path, not ORM objects with their documents."""
    query = sa.select(
        col(Customer.id),
        col(Customer.customer_id),
        col(Customer.name),
        col(Customer.plan),
        col(Customer.monthly_fee),
        col(Customer.usage_rate),
        col(Customer.tenure_months),
        col(Customer.status),
        col(Customer.attributes)["ltv"],
    ).order_by(col(Customer.id))
    if customer_pks is not None:
        query = query.where(col(Customer.id).in_(list(customer_pks)))
    return [CustomerInputs(*row) for row in session.execute(query).all()]


def population_of(customers: Iterable[CustomerInputs], params: SignalParams) -> Population:
    """:func:`population` from records already read."""
    rows = list(customers)
    return Population(
        usage=compute_usage_stats((c.usage_rate for c in rows), params),
        reference=reference_value(customer_value(c) for c in rows),
    )


class PopulationCache:
    """The populations computed lately, by database, customer-base token and parameters (a few, the
    least recently used dropped): one customer's rescoring (every analysed call, feedback, a deleted
    call) reads one token row and the newest id instead of every customer's usage, fee and ltv."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Any, ...], Population] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> Population | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: Population) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: This process's populations (``population``).
POPULATIONS = PopulationCache()


def population(session: Session, params: SignalParams) -> Population:
    """Usage of the whole base and the median customer value, from two columns and the ``ltv`` attribute
    of every customer, computed once per state of the customer base: the token that every write to
    ``customers`` replaces (``voc.db.customers.CustomerBaseToken``) and the newest id (rows inserted
    by other means) say whether the one this process computed last still holds. The token is read
    first: a write committed meanwhile can only make the entry newer than its key, never older."""
    token, newest = session.execute(
        sa.select(
            sa.select(col(CustomerBaseToken.token)).where(col(CustomerBaseToken.id) == 1).scalar_subquery(),
            sa.select(sa.func.max(col(Customer.id))).scalar_subquery(),
        )
    ).one()
    key = (str(session.get_bind().engine.url), token, newest, params)
    if token is not None and (cached := POPULATIONS.get(key)) is not None:
        return cached
    found = _population_now(session, params)
    if token is not None:
        POPULATIONS.put(key, found)
    return found


def _population_now(session: Session, params: SignalParams) -> Population:
    ltv = col(Customer.attributes)["ltv"]
    rows = session.exec(select(Customer.usage_rate, Customer.monthly_fee, ltv)).all()
    return Population(
        usage=compute_usage_stats((rate for rate, _fee, _ltv in rows), params),
        reference=reference_value(value_of(fee, {"ltv": value}) for _rate, fee, value in rows),
    )


def flags_due(
    customer: CustomerInputs, facts: Sequence[SignalFact], base: Population
) -> dict[str, list[SignalFact]]:
    """The flags due for ``customer`` (their usage against the base's thresholds)."""
    return derive_flags(
        facts,
        high_usage=base.usage.is_high(customer.usage_rate),
        low_usage=base.usage.is_low(customer.usage_rate),
    )


@dataclass(frozen=True, slots=True)
class StoredFlag:
    """A flag row as stored (its columns, not an ORM object)."""

    id: int
    active: bool
    evidence: list[dict[str, Any]]
    raised_at: datetime
    cleared_at: datetime | None


@dataclass(slots=True)
class FlagWrites:
    """The flag rows to insert and update and the transitions to record, for one executemany each."""

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


def stored_flags(
    session: Session, customer_pks: Iterable[int] | None = None
) -> dict[int, dict[FlagType, StoredFlag]]:
    query = sa.select(
        col(CustomerFlag.id),
        col(CustomerFlag.customer_pk),
        col(CustomerFlag.flag),
        col(CustomerFlag.active),
        col(CustomerFlag.evidence),
        col(CustomerFlag.raised_at),
        col(CustomerFlag.cleared_at),
    )
    if customer_pks is not None:
        query = query.where(col(CustomerFlag.customer_pk).in_(list(customer_pks)))
    out: dict[int, dict[FlagType, StoredFlag]] = {}
    for flag_id, pk, flag, active, evidence, raised_at, cleared_at in session.execute(query).all():
        out.setdefault(pk, {})[flag] = StoredFlag(flag_id, active, evidence, raised_at, cleared_at)
    return out


def _plan_flags(
    customer_pk: int,
    due: dict[str, list[SignalFact]],
    existing: dict[FlagType, StoredFlag],
    at: datetime,
    writes: FlagWrites,
) -> FlagChanges:
    """Add to ``writes`` what brings the stored flags of one customer to ``due``, each transition too."""
    changes = FlagChanges()

    def event(flag: FlagType, kind: FlagEvent, evidence: list[dict[str, Any]]) -> None:
        writes.events.append(
            {"customer_pk": customer_pk, "flag": flag, "event": kind, "evidence": evidence, "at": at}
        )

    for flag in FLAG_TYPES:
        row = existing.get(flag)
        if flag in due:
            evidence = _evidence(due[flag])
            if row is None:
                writes.inserts.append(
                    {
                        "customer_pk": customer_pk,
                        "flag": flag,
                        "active": True,
                        "evidence": evidence,
                        "raised_at": at,
                        "cleared_at": None,
                        "updated_at": at,
                    }
                )
            elif not row.active:
                writes.updates.append(_update(row.id, True, evidence, at, None, at))
            elif row.evidence != evidence:
                writes.updates.append(_update(row.id, True, evidence, row.raised_at, row.cleared_at, at))
                continue
            else:
                continue
            changes.raised.append(flag)
            event(flag, FlagEvent.RAISED, evidence)
        elif row is not None and row.active:
            writes.updates.append(_update(row.id, False, row.evidence, row.raised_at, at, at))
            event(flag, FlagEvent.CLEARED, row.evidence)
            changes.cleared.append(flag)
    return changes


def _update(
    flag_id: int,
    active: bool,
    evidence: list[dict[str, Any]],
    raised_at: datetime,
    cleared_at: datetime | None,
    at: datetime,
) -> dict[str, Any]:
    return {
        "b_id": flag_id,
        "active": active,
        "evidence": evidence,
        "raised_at": raised_at,
        "cleared_at": cleared_at,
        "updated_at": at,
    }


def _write_flags(session: Session, writes: FlagWrites) -> None:
    """Core executemany statements (an ORM object per flag costs more than its row: pydantic defaults)."""
    if writes.inserts:
        session.execute(sa.insert(FLAGS), writes.inserts)
    if writes.updates:
        session.execute(sa.update(FLAGS).where(FLAGS.c.id == sa.bindparam("b_id")), writes.updates)
    if writes.events:
        session.execute(sa.insert(FLAG_EVENTS), writes.events)
    if writes.inserts or writes.updates:
        for obj in list(session.identity_map.values()):  # flag rows loaded before are stale now
            if isinstance(obj, CustomerFlag):
                session.expire(obj)


def recompute_customer(
    session: Session,
    customer_pk: int,
    params: SignalParams,
    *,
    now: datetime | None = None,
    base: Population | None = None,
) -> FlagChanges:
    """Bring the customer's flags and risk row up to date; returns the flags raised and cleared.
    Flushes only."""
    found = recompute_customers(session, params, [customer_pk], now=now, base=base)
    return next(iter(found.values()), FlagChanges())


def recompute_customers(
    session: Session,
    params: SignalParams,
    customer_pks: Iterable[int] | None = None,
    *,
    now: datetime | None = None,
    base: Population | None = None,
) -> dict[str, FlagChanges]:
    """The flags and risk rows of the given customers (``None``: everyone), set-based: one query per
    table, then bulk statements for what changed. Returns the changes by customer id (changed ones
    only). Flushes only."""
    at = now or utcnow()
    session.flush()  # the statements below bypass the unit of work: pending objects first
    pks = None if customer_pks is None else list(dict.fromkeys(customer_pks))
    customers = customer_inputs(session, pks)
    if not customers:
        return {}
    if base is None:
        base = population_of(customers, params) if pks is None else population(session, params)
    facts = facts_by_customer(session, pks)
    flags = stored_flags(session, pks)
    writes = FlagWrites()
    assessments: dict[int, RiskAssessment] = {}
    out: dict[str, FlagChanges] = {}
    for customer in customers:
        own = facts.get(customer.pk, [])
        due = flags_due(customer, own, base)
        changes = _plan_flags(customer.pk, due, flags.get(customer.pk, {}), at, writes)
        if changes:
            out[customer.customer_id] = changes
        assessments[customer.pk] = assess(customer, own, due, base, at, params.recency_half_life_days)
    _write_flags(session, writes)
    store_all(session, assessments, at)
    if len(customers) == 1 and out:
        changes = next(iter(out.values()))
        name = customers[0].customer_id
        log.info("customer %s: raised %s, cleared %s", name, changes.raised, changes.cleared)
    elif out:
        log.info("flags changed for %d customer(s)", len(out))
    return out


def recompute_all(
    session: Session, params: SignalParams, *, now: datetime | None = None
) -> dict[str, FlagChanges]:
    """Every customer's flags and risk row (after a CRM change: the usage percentiles and the median
    value move for everyone), set-based: one query per table, then bulk statements for what changed."""
    return recompute_customers(session, params, None, now=now)


def on_call_linked(
    session: Session,
    call_id: int,
    params: SignalParams,
    *,
    previous_customer_pk: int | None = None,
    now: datetime | None = None,
) -> FlagChanges:
    """A call was linked (or re-linked) to a customer: recompute that customer (and the previous one)."""
    call = session.get(Call, call_id)
    if previous_customer_pk is not None and (call is None or call.customer_pk != previous_customer_pk):
        recompute_customer(session, previous_customer_pk, params, now=now)
    if call is None or call.customer_pk is None:
        return FlagChanges()
    return recompute_customer(session, call.customer_pk, params, now=now)


def active_flags(session: Session, customer_pk: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(CustomerFlag).where(CustomerFlag.customer_pk == customer_pk, CustomerFlag.active == True)  # noqa: E712
    ).all()
    return [
        {"flag": r.flag, "raised_at": r.raised_at.isoformat(), "evidence": r.evidence}
        for r in sorted(rows, key=lambda r: FLAG_TYPES.index(r.flag) if r.flag in FLAG_TYPES else 99)
    ]


def flag_events(session: Session, *, after_id: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Flag transitions in order, for webhooks: ``{id, event, customer_id, flag, at, evidence}``."""
    found = session.exec(
        select(CustomerFlagEvent, Customer)
        .join(Customer, col(Customer.id) == col(CustomerFlagEvent.customer_pk))
        .where(col(CustomerFlagEvent.id) > after_id)
        .order_by(col(CustomerFlagEvent.id))
        .limit(limit)
    ).all()
    return [
        {
            "id": e.id,
            "event": EVENT_NAMES[e.event],
            "customer_id": c.customer_id,
            "flag": e.flag,
            "at": e.at.isoformat(),
            "evidence": e.evidence,
        }
        for e, c in found
    ]
