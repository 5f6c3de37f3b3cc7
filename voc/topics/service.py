"""Topic models on stored calls: fit a new version, assign calls, carry analysts' names over.

A call's document is what the customer said (the customer's segments, or ``unknown`` ones on mono
calls, where the operator could not be told apart); operator boilerplate never shapes the topics.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select, update

from voc.db.calls import Call, CallStatus, Segment
from voc.db.topics import Topic, TopicAssignment, TopicModelVersion
from voc.errors import InvalidInputError, NotFoundError
from voc.topics.model import TopicModel
from voc.topics.naming import carry_over_names

log = logging.getLogger(__name__)

CUSTOMER_SIDE = ("customer", "unknown")


@dataclass(frozen=True)
class TopicParams:
    n_topics: int | None = None
    min_calls_to_fit: int = 8
    random_state: int = 0


def call_documents(session: Session, call_ids: Sequence[int] | None = None) -> dict[int, list[str]]:
    """Analysis tokens of the customer side of each call (calls with no words are left out).

    Without ``call_ids``: every finished call; with them: those calls, whatever their state (the
    pipeline assigns a call while it is still being analysed).
    """
    stmt = (
        select(Segment.call_id, Segment.tokens)
        .where(col(Segment.speaker).in_(CUSTOMER_SIDE))
        .order_by(col(Segment.call_id), col(Segment.idx))
    )
    if call_ids is None:
        stmt = stmt.join(Call, col(Call.id) == col(Segment.call_id)).where(Call.status == CallStatus.DONE)
    else:
        stmt = stmt.where(col(Segment.call_id).in_(call_ids))
    docs: dict[int, list[str]] = {}
    for call_id, tokens in session.exec(stmt):
        docs.setdefault(call_id, []).extend(tokens)
    return {cid: toks for cid, toks in docs.items() if toks}


def active_version(session: Session) -> TopicModelVersion | None:
    return session.exec(select(TopicModelVersion).where(TopicModelVersion.active == True)).first()  # noqa: E712


def load_model(version: TopicModelVersion) -> TopicModel:
    model = pickle.loads(version.blob)  # our own blob, written by refit() below
    assert isinstance(model, TopicModel)
    return model


_CURRENT: Any = object()


def refit(
    session: Session, params: TopicParams, *, replacing: int | None = _CURRENT
) -> TopicModelVersion | None:
    """Fit a new version on every analysed call, assign them all, and make it the active one.

    Names analysts gave to topics of the previous version move to the matching new topics.
    Returns ``None`` when there are fewer than ``min_calls_to_fit`` calls with customer speech.

    ``replacing`` is the active version id the caller means to replace (``None``: there is none yet;
    default: whichever is active when the fit starts). If another process replaced it meanwhile
    (two workers' scheduled refits, two first calls), nothing is written and the version now active
    is returned: one refit, not two versions.
    """
    if replacing is _CURRENT:
        current = active_version(session)
        replacing = current.id if current is not None else None
    docs = call_documents(session)
    if len(docs) < params.min_calls_to_fit:
        log.info(
            "topics: %d calls with customer speech, %d needed to fit", len(docs), params.min_calls_to_fit
        )
        return None
    ids = list(docs)
    model = TopicModel(n_topics=params.n_topics, random_state=params.random_state).fit([docs[i] for i in ids])
    # Compare-and-swap on the active flag, before writing anything. PostgreSQL: a concurrent refit's
    # row lock makes this wait, then see its result. SQLite: writers are serialised, and reads before
    # the first write take no snapshot, so this sees the latest commit.
    previous = session.get(TopicModelVersion, replacing) if replacing is not None else None
    if replacing is not None:
        swapped = session.exec(
            update(TopicModelVersion)
            .where(col(TopicModelVersion.id) == replacing, col(TopicModelVersion.active) == True)  # noqa: E712
            .values(active=False)
        )
        if swapped.rowcount != 1:
            return _replaced_meanwhile(session, replacing)
    elif active_version(session) is not None:
        return _replaced_meanwhile(session, replacing)
    version = TopicModelVersion(
        n_topics=model.n_topics_,
        n_docs=len(ids),
        k_scores={str(k): v for k, v in model.k_scores_.items()},
        params={"n_topics": params.n_topics, "random_state": params.random_state},
        blob=pickle.dumps(model),
    )
    session.add(version)
    session.flush()
    assert version.id is not None
    vectors = model.topic_vectors()
    names: dict[int, str] = {}
    if previous is not None:
        old_topics = session.exec(
            select(Topic).where(Topic.version_id == previous.id).order_by(col(Topic.index))
        ).all()
        old_names = {t.index: t.name for t in old_topics if t.name}
        if old_names:
            names = carry_over_names(old_names, [t.vector for t in old_topics], vectors).names
    for info in model.topic_info_:
        session.add(
            Topic(
                version_id=version.id,
                index=info.topic,
                label=info.label,
                name=names.get(info.topic),
                terms=[[t, float(w)] for t, w in info.terms],
                features=[[t, float(w)] for t, w in info.features],
                vector=vectors[info.topic],
                n_docs=info.n_docs,
            )
        )
    weights = model.transform([docs[i] for i in ids])
    for call_id, row in zip(ids, weights, strict=True):
        _assign(session, call_id, version.id, row)
    version.active = True
    session.add(version)
    try:
        session.flush()
    except IntegrityError:  # the unique index: another process's first version won (PostgreSQL)
        session.rollback()
        return _replaced_meanwhile(session, replacing)
    log.info("topics: version %s fitted on %d calls, %d topics", version.id, len(ids), model.n_topics_)
    return version


def _replaced_meanwhile(session: Session, replacing: int | None) -> TopicModelVersion | None:
    log.info("topics: version %s was replaced by another process meanwhile; keeping that one", replacing)
    return active_version(session)


def _assign(session: Session, call_id: int, version_id: int, row: object) -> None:
    weights = np.asarray(row, dtype=float)
    best = int(weights.argmax()) if weights.size and weights.max() > 0 else -1
    session.exec(
        delete(TopicAssignment).where(
            col(TopicAssignment.call_id) == call_id, col(TopicAssignment.version_id) == version_id
        )
    )
    session.add(
        TopicAssignment(
            call_id=call_id,
            version_id=version_id,
            topic_index=best,
            weight=float(weights[best]) if best >= 0 else 0.0,
        )
    )


def assign_call(session: Session, call_id: int, params: TopicParams) -> int | None:
    """The pipeline stage: put a newly analysed call in the current topics (no refit).

    The very first model is fitted once enough calls exist. Returns the topic index, or ``None``.
    """
    version = active_version(session)
    if version is None:
        version = refit(session, params)
        if version is None:
            return None
    docs = call_documents(session, [call_id])
    model = load_model(version)
    assert version.id is not None
    if call_id not in docs:
        _assign(session, call_id, version.id, [])
        return -1
    _assign(session, call_id, version.id, model.transform([docs[call_id]])[0])
    assignment = session.exec(
        select(TopicAssignment.topic_index).where(
            TopicAssignment.call_id == call_id, TopicAssignment.version_id == version.id
        )
    ).one()
    return assignment


def rename_topic(session: Session, topic_id: int, name: str) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFoundError(f"トピックが見つかりません: {topic_id}")
    clean = name.strip()
    if not clean:
        raise InvalidInputError("トピック名が空です (empty name)")
    topic.name = clean[:256]
    session.add(topic)
    session.flush()
    return topic
