"""Analyst names survive a refit on a changed corpus."""

from __future__ import annotations

import pytest

from tests.topics.conftest import Tokenize
from tests.topics.helpers import majority_themes
from tests.topics.synthetic import Utterance, generate_utterances
from voc.topics.model import TopicModel
from voc.topics.naming import carry_over_names, match_topics, similarity_matrix


def test_renamed_topics_keep_their_names_after_refit(
    fitted: TopicModel, utterances: list[Utterance], tokenize: Tokenize
) -> None:
    old_theme = majority_themes(fitted.doc_topics_.tolist(), [u.theme for u in utterances])
    names = {topic: f"分析者名:{theme}" for topic, theme in old_theme.items() if topic >= 0}

    # next month's corpus: other calls from the same themes, a tenth of the old ones dropped
    changed = [u for i, u in enumerate(utterances) if i % 10 != 0] + generate_utterances(seed=99)[:150]
    refit = TopicModel(random_state=0).fit([tokenize(u.text) for u in changed])
    new_theme = majority_themes(refit.doc_topics_.tolist(), [u.theme for u in changed])

    result = carry_over_names(names, fitted.topic_vectors(), refit.topic_vectors())

    assert len(result.names) >= min(len(names), refit.n_topics_) - 1
    for new_id, name in result.names.items():
        assert name == f"分析者名:{new_theme[new_id]}"
    assert all(m.similarity >= 0.3 for m in result.matches)
    assert len({m.new_id for m in result.matches}) == len(result.matches)


def test_match_is_one_to_one_with_minimum_similarity() -> None:
    old = [{"請求": 1.0, "返金": 0.5}, {"電波": 1.0, "遅い": 0.8}, {"解約": 1.0}]
    new = [
        {"電波": 0.9, "遅い": 1.0, "切れる": 0.2},
        {"請求": 1.0, "返金": 0.4, "明細": 0.3},
        {"アプリ": 1.0},
    ]
    matches = match_topics(old, new, min_similarity=0.3)
    assert [(m.old_id, m.new_id) for m in matches] == [(0, 1), (1, 0)]
    assert matches[0].similarity == pytest.approx(similarity_matrix(old, new)[0, 1])
    carried = carry_over_names({0: "請求ミス", 2: "解約"}, old, new)
    assert carried.names == {1: "請求ミス"}  # 解約 matched nothing: its name is not forced onto アプリ


def test_identical_vectors_match_perfectly() -> None:
    vecs = [{"a": 1.0}, {"b": 1.0}]
    matches = match_topics(vecs, vecs[::-1])
    assert [(m.old_id, m.new_id) for m in matches] == [(0, 1), (1, 0)]
    assert [m.similarity for m in matches] == pytest.approx([1.0, 1.0])
    assert match_topics([], vecs) == []
