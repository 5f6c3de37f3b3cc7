"""After customer records change: link waiting calls by phone, then recompute every customer's flags and
risk row (``customer_risk``): the usage percentiles and the median customer value they are relative to
move with any change to the CRM, so all rows are recomputed, set-based (one query per table, then only
the flags that changed; ``voc.signals.flags.recompute_all``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from voc.calls.linking import relink_unmatched
from voc.signals.flags import FlagChanges, recompute_all
from voc.signals.params import SignalParams


@dataclass
class RefreshResult:
    linked_calls: list[int] = field(default_factory=list)
    changes: dict[str, FlagChanges] = field(default_factory=dict)


def refresh_after_records_changed(session: Session, params: SignalParams) -> RefreshResult:
    """Usage percentiles and the median value move with every import, so flags and scores are recomputed
    for everyone, not only the customers in the file; calls that arrived before their customer are
    linked first. Flushes only: the caller commits."""
    linked = relink_unmatched(session)
    return RefreshResult(linked_calls=linked, changes=recompute_all(session, params))
