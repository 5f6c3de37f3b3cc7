"""The topics stage as the pipeline runs it: ``stage(session, call_id)`` after the signals stage.

Topics are a view over many calls: a model that cannot be fitted yet (too few or too similar calls)
must not fail the call. The call is left unassigned and the next refit assigns it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlmodel import Session

from voc.topics.service import TopicParams, assign_call

log = logging.getLogger(__name__)


def make_topics_stage(params: TopicParams) -> Callable[[Session, int], None]:
    def topics_stage(session: Session, call_id: int) -> None:
        try:
            assign_call(session, call_id, params)
        except ValueError:
            log.exception("call %s: topic assignment failed; it will be assigned at the next refit", call_id)

    return topics_stage
