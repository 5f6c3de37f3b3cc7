"""After customer records change: link waiting calls by phone, then recompute the customers' flags and
risk rows (``customer_risk``). The usage percentiles and the median customer value they are relative to
move with most changes to the CRM, and then every row is recomputed, set-based (one query per table, then
only the flags and rows that changed; ``voc.signals.flags.recompute_all``). When the caller says which
customers it wrote and the population before, and that population did not move (a few records edited,
names or plans changed, the same file imported again), only those customers and the owners of the calls
just linked are recomputed: nobody else's inputs changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from voc.calls.linking import relink_unmatched
from voc.db.batches import chunks, literal_in
from voc.db.calls import Call
from voc.signals.flags import FlagChanges, population, recompute_all, recompute_customers
from voc.signals.params import SignalParams
from voc.signals.risk import Population


@dataclass
class RefreshResult:
    linked_calls: list[int] = field(default_factory=list)
    changes: dict[str, FlagChanges] = field(default_factory=dict)
    recomputed: int | None = None  # how many customers were recomputed (``None``: everyone)


def refresh_after_records_changed(
    session: Session,
    params: SignalParams,
    *,
    written: Iterable[int] | None = None,
    before: Population | None = None,
) -> RefreshResult:
    """Link the calls that arrived before their customer, then recompute flags and scores: everyone's,
    unless ``written`` (the customers whose records were written) and ``before`` (:func:`population`
    before they were) are given and the population is the same now. Flushes only: the caller commits."""
    linked = relink_unmatched(session)
    if written is None or before is None:
        return RefreshResult(linked_calls=linked, changes=recompute_all(session, params))
    after = population(session, params)
    if after != before:
        return RefreshResult(linked_calls=linked, changes=recompute_customers(session, params, base=after))
    touched = set(written) | _owners(session, linked)
    changes = recompute_customers(session, params, sorted(touched), base=after) if touched else {}
    return RefreshResult(linked_calls=linked, changes=changes, recomputed=len(touched))


def _owners(session: Session, call_ids: list[int]) -> set[int]:
    owners: set[int] = set()
    for chunk in chunks(call_ids):
        found = session.exec(select(Call.customer_pk).where(col(Call.id).in_(literal_in(chunk))))
        owners.update(pk for pk in found if pk is not None)
    return owners
