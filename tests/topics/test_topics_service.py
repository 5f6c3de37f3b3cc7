"""Topics over stored calls: purity on a corpus with known themes, an emerging theme reported, names
surviving a refit, new calls assigned without a refit, and the binding `voc topics --json` shape."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tests.corpus import store_corpus
from tests.topics.synthetic import EMERGING_THEME, generate_utterances
from voc.db.calls import Call
from voc.db.topics import Topic, TopicAssignment, TopicModelVersion
from voc.nlp.toolkit import TextToolkit
from voc.topics.reports import report_csv, topic_report, topics_summary
from voc.topics.service import TopicParams, assign_call, refit, rename_topic

PARAMS = TopicParams(min_calls_to_fit=8)


def _store_corpus(engine: Engine, toolkit: TextToolkit, seed: int = 0) -> dict[int, str]:
    """One call per utterance (operator greeting + the customer's words). Returns call id → theme."""
    utterances = generate_utterances(per_theme_per_week=2, weeks=8, emerging_per_week=8, seed=seed)
    with Session(engine) as session:
        themes = store_corpus(session, toolkit, utterances, prefix=f"T{seed}")
        session.commit()
    return themes


def _purity(engine: Engine, version_id: int, themes: dict[int, str]) -> float:
    with Session(engine) as session:
        rows = session.exec(select(TopicAssignment).where(TopicAssignment.version_id == version_id)).all()
    by_topic: dict[int, Counter[str]] = {}
    for a in rows:
        by_topic.setdefault(a.topic_index, Counter())[themes[a.call_id]] += 1
    return sum(c.most_common(1)[0][1] for c in by_topic.values()) / len(rows)


def test_topics_match_known_themes_and_the_new_one_is_emerging(engine: Engine, toolkit: TextToolkit) -> None:
    themes = _store_corpus(engine, toolkit)
    assert len(themes) >= 60
    with Session(engine) as session:
        version = refit(session, PARAMS)
        session.commit()
        assert version is not None and version.id is not None
        assert _purity(engine, version.id, themes) >= 0.8
        report = topic_report(session, period="week")
        summary = topics_summary(session)
    emerging_names = [e["name"] for e in report["emerging"]]
    assert emerging_names, "the theme injected in the last two weeks must be reported"
    emerging_topic = report["emerging"][0]["topic"]
    members = [cid for cid, theme in themes.items() if theme == EMERGING_THEME]
    with Session(engine) as session:
        assigned = Counter(
            session.exec(
                select(TopicAssignment.topic_index).where(
                    TopicAssignment.version_id == version.id, col(TopicAssignment.call_id).in_(members)
                )
            ).all()
        )
    assert assigned.most_common(1)[0][0] == emerging_topic
    assert set(summary) == {"model_version", "topics"}
    first = summary["topics"][0]
    assert {"id", "label", "terms", "share", "calls"} <= set(first)
    assert abs(sum(t["share"] for t in summary["topics"]) - 1.0) < 0.05
    for topic in summary["topics"]:
        assert all(len(term) > 1 for term in topic["terms"][:3])
        assert not any(term in ("が", "は", "を", "えーと", "あの") for term in topic["terms"])
    assert report["representative_calls"][0]["calls"][0]["start"] == 2.5  # the customer's line
    rows = report_csv(report).splitlines()
    assert rows[0] == "period,topic_id,topic,name,count,share"
    assert len(rows) == 1 + sum(len(p["shares"]) for p in report["periods"])


def test_names_survive_a_refit_and_new_calls_are_assigned(engine: Engine, toolkit: TextToolkit) -> None:
    _store_corpus(engine, toolkit, seed=1)
    with Session(engine) as session:
        first = refit(session, PARAMS)
        assert first is not None
        first_id = first.id
        topic = session.exec(select(Topic).where(Topic.version_id == first_id)).first()
        assert topic is not None and topic.id is not None
        original_terms = {t for t, _ in topic.terms[:5]}
        rename_topic(session, topic.id, "分析者の名前")
        session.commit()
    _store_corpus(engine, toolkit, seed=2)  # more calls of the same themes
    with Session(engine) as session:
        second = refit(session, PARAMS)
        session.commit()
        assert second is not None and second.id != first_id
        renamed = session.exec(
            select(Topic).where(Topic.version_id == second.id, Topic.name == "分析者の名前")
        ).all()
        assert len(renamed) == 1
        assert original_terms & {t for t, _ in renamed[0].terms[:10]}
        # old assignments stay queryable by version
        assert topics_summary(session, first_id)["model_version"] == first_id
        call = session.exec(select(Call).order_by(col(Call.id).desc())).first()
        assert call is not None and call.id is not None
        assert assign_call(session, call.id, PARAMS) is not None
        session.commit()


def test_no_model_until_enough_calls(engine: Engine) -> None:
    with Session(engine) as session:
        assert refit(session, PARAMS) is None
        assert topics_summary(session) == {"model_version": None, "topics": []}
        assert topic_report(session)["topics"] == []


def test_a_refit_that_lost_the_race_keeps_the_winners_version(engine: Engine, toolkit: TextToolkit) -> None:
    """Every worker process runs the scheduled refit: when two find the same version due, the second
    to finish must not add a version of its own (nor a second first version)."""
    _store_corpus(engine, toolkit, seed=3)
    with Session(engine) as session:
        first = refit(session, PARAMS)
        session.commit()
        assert first is not None and first.id is not None
        first_id = first.id
    with Session(engine) as session:  # the winner
        winner = refit(session, PARAMS, replacing=first_id)
        session.commit()
        assert winner is not None and winner.id != first_id
        winner_id = winner.id
    with Session(engine) as session:  # the loser decided to replace first_id too, before the winner's commit
        kept = refit(session, PARAMS, replacing=first_id)
        session.commit()
        assert kept is not None and kept.id == winner_id
        late_first = refit(session, PARAMS, replacing=None)  # "no model yet" is stale as well
        assert late_first is not None and late_first.id == winner_id
        versions = session.exec(select(TopicModelVersion)).all()
    assert sorted(v.id or 0 for v in versions) == [first_id, winner_id]
    assert [v.id for v in versions if v.active] == [winner_id]


def test_the_database_allows_one_active_version_only(engine: Engine) -> None:
    with Session(engine) as session:
        for _ in range(2):
            session.add(TopicModelVersion(active=True, n_topics=1, n_docs=1, blob=b""))
        with pytest.raises(IntegrityError):
            session.flush()
