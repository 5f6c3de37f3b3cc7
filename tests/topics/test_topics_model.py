"""The topic model finds the known themes of the synthetic calls, labels them readably, reproducibly."""

from __future__ import annotations

import pickle
import random
import re

import numpy as np
from sklearn.base import clone

from tests.topics.conftest import Tokenize
from tests.topics.helpers import majority_themes, purity
from tests.topics.synthetic import THEMES, Utterance, make_utterance
from voc.topics.labels import NON_LABEL_WORDS, ONE_CHAR_ALLOWLIST
from voc.topics.model import TopicModel

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_topics_agree_with_known_themes(fitted: TopicModel, utterances: list[Utterance]) -> None:
    themes = [u.theme for u in utterances]
    assert purity(fitted.doc_topics_.tolist(), themes) >= 0.8
    # every theme is the majority of some topic: none was swallowed by another
    assert set(majority_themes(fitted.doc_topics_.tolist(), themes).values()) == set(THEMES)


def test_topic_count_is_chosen_from_the_stability_curve(fitted: TopicModel) -> None:
    assert set(fitted.k_scores_) == set(range(3, 16))
    assert fitted.n_topics_ == max(fitted.k_scores_, key=lambda k: (fitted.k_scores_[k], -k))
    assert len(THEMES) - 1 <= fitted.n_topics_ <= 2 * len(THEMES)
    assert len(fitted.topic_labels_) == fitted.n_topics_ == fitted.nmf_.n_components


def test_labels_are_readable_japanese_words(fitted: TopicModel) -> None:
    for info in fitted.topic_info_:
        words = info.label.split("・")
        assert 2 <= len(words) <= 3, info.label
        for word in [w for w, _ in info.terms]:
            assert JAPANESE.search(word), word
            assert ":" not in word and not word.endswith("_NEG"), word
            assert word not in NON_LABEL_WORDS, word
            assert len(word) >= 2 or word in ONE_CHAR_ALLOWLIST, word
        assert all(":" in f for f, _ in info.features)


def test_labels_name_the_theme(fitted: TopicModel, utterances: list[Utterance]) -> None:
    majority = majority_themes(fitted.doc_topics_.tolist(), [u.theme for u in utterances])
    expected = {"請求ミス": "請求", "通信品質": "電波", "料金割高": "高い", "アプリ不具合": "アプリ"}
    for topic, theme in majority.items():
        if theme in expected:
            assert expected[theme] in [w for w, _ in fitted.topic_info_[topic].terms[:5]]


def test_representative_documents_belong_to_their_topic(fitted: TopicModel) -> None:
    for topic, docs in enumerate(fitted.representative_docs_):
        assert docs
        assert all(fitted.doc_topics_[i] == topic for i in docs)


def test_same_seed_same_topics(utterance_docs: list[list[str]], fitted: TopicModel) -> None:
    again = TopicModel(random_state=0).fit(utterance_docs)
    assert again.topic_labels_ == fitted.topic_labels_
    assert again.k_scores_ == fitted.k_scores_
    np.testing.assert_array_equal(again.doc_topics_, fitted.doc_topics_)


def test_new_documents_are_assigned_without_refit(fitted: TopicModel, tokenize: Tokenize) -> None:
    rng = random.Random(1234)
    themes = [t for t in THEMES for _ in range(10)]
    new_docs = [tokenize(make_utterance(t, rng)) for t in themes]
    components = fitted.nmf_.components_.copy()
    vocab_size = len(fitted.vectorizer_.vocabulary_)

    weights = fitted.transform(new_docs)
    predicted = fitted.predict(new_docs)

    assert weights.shape == (len(new_docs), fitted.n_topics_)
    np.testing.assert_array_equal(predicted, np.argmax(weights, axis=1))
    np.testing.assert_array_equal(fitted.nmf_.components_, components)
    assert len(fitted.vectorizer_.vocabulary_) == vocab_size
    assert purity(predicted.tolist(), themes) >= 0.8
    # a document with no known word has no topic
    assert fitted.predict([["未知語だけ", "もう一つの未知語"], []]).tolist() == [-1, -1]


def test_fixed_topic_count_clone_and_pickling(utterance_docs: list[list[str]]) -> None:
    model = clone(TopicModel(n_topics=5, max_features=500)).fit(utterance_docs)
    assert model.get_params()["max_features"] == 500
    assert model.n_topics_ == 5 and model.k_scores_ == {}
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(utterance_docs[:20]), model.predict(utterance_docs[:20]))


def test_small_corpora_still_fit() -> None:
    docs = [["料金", "高い"], ["料金", "高い", "解約"], ["電波", "遅い"], ["電波", "遅い", "切れる"]] * 2
    model = TopicModel().fit(docs)
    assert model.n_topics_ >= 2
    assert model.predict([["電波", "遅い"]])[0] == model.doc_topics_[2] != model.doc_topics_[0]
    tiny = TopicModel().fit([["料金", "高い"], ["料金", "高い"]])
    assert tiny.n_topics_ == 1 and tiny.doc_topics_.tolist() == [0, 0]


def test_a_handful_of_documents_still_fits() -> None:
    """The first model of a new site is fitted on the first few calls (8 here); k stays within them."""
    docs = [
        ["料金", "高い", "コスパ", "悪い"],
        ["料金", "高い", "解約"],
        ["通信速度", "遅い", "繋がる_NEG"],
        ["通信速度", "遅い", "困る"],
        ["設定", "分かる_NEG", "難しい"],
        ["設定", "難しい", "使える_NEG"],
        ["料金", "満足", "便利"],
        ["解約", "海外", "引っ越す"],
    ]
    model = TopicModel(random_state=0).fit(docs)
    assert 1 <= model.n_topics_ <= 6
    assert model.predict([["料金", "高い"]])[0] >= 0
