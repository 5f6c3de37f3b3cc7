"""After customer records change: link waiting calls by phone, then recompute every customer's flags."""

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
    """Usage percentiles move with every import, so flags are recomputed for everyone, not only the
    customers in the file; calls that arrived before their customer are linked first."""
    linked = relink_unmatched(session)
    return RefreshResult(linked_calls=linked, changes=recompute_all(session, params))
