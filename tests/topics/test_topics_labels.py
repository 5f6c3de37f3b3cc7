"""Readable label terms and c-TF-IDF on hand-made examples."""

from __future__ import annotations

import numpy as np
import pytest

from voc.topics.labels import (
    class_tfidf,
    label_topics,
    negative_form,
    readable_term,
    representative_docs,
    topic_display_names,
)


@pytest.mark.parametrize(
    ("lemma", "negated"),
    [
        ("繋がる", "繋がらない"),
        ("分かる", "分からない"),
        ("使える", "使えない"),
        ("切れる", "切れない"),
        ("見る", "見ない"),
        ("切る", "切らない"),
        ("思い出す", "思い出さない"),
        ("届く", "届かない"),
        ("高い", "高くない"),
        ("いい", "よくない"),
        ("連絡", "連絡ない"),
        ("支払い", "支払いない"),
        ("必要", "必要じゃない"),
    ],
)
def test_negations_read_as_nai_forms(lemma: str, negated: str) -> None:
    assert negative_form(lemma) == negated
    assert readable_term(lemma + "_NEG") == negated


def test_light_verbs_stay_out_of_labels_even_negated() -> None:
    forms = [negative_form(w) for w in ("する", "出来る", "言う")]
    assert forms == ["しない", "出来ない", "言わない"]
    assert readable_term("する_NEG") is None and readable_term("できる_NEG") is None


@pytest.mark.parametrize(
    "token", ["が", "けど", "えーと", "あの", "する", "DESIRE:解約", "EXCESS:高い", "二", "1000", "？", "ね"]
)
def test_particles_fillers_features_and_noise_are_not_label_words(token: str) -> None:
    assert readable_term(token) is None


@pytest.mark.parametrize("token", ["料金", "高い", "高", "円", "コスパ", "解約", "iPhone"])
def test_content_words_are_label_words(token: str) -> None:
    assert readable_term(token) == token


def test_class_tfidf_ranks_distinctive_terms_first() -> None:
    docs = [["料金", "高い", "解約"], ["料金", "高い"], ["料金", "電波"], ["料金", "電波", "遅い"]]
    weights, vocab = class_tfidf(docs, [0, 0, 1, 1], n_topics=2)
    row0 = dict(zip(vocab, weights.toarray()[0], strict=True))
    # 料金 is in every document of both topics: it ranks below the topic's own words
    assert row0["高い"] > row0["料金"] and row0["電波"] == 0.0
    labels = label_topics([*docs, ["あの", "DESIRE:解約"]], [0, 0, 1, 1, 0], n_topics=2)
    assert labels[0].label.split("・")[0] == "高い"
    assert labels[1].label.split("・")[0] in {"電波", "遅い"}
    assert [f for f, _ in labels[0].features] == ["DESIRE:解約"]
    assert (labels[0].n_docs, labels[1].n_docs) == (3, 2)


def test_documents_without_topic_are_left_out_of_labels() -> None:
    labels = label_topics([["料金", "高い"], ["電波", "遅い"]], [0, -1], n_topics=1)
    assert [w for w, _ in labels[0].terms] == ["料金", "高い"]


def test_representative_docs_by_weight() -> None:
    weights = np.array([[0.9, 0.0], [0.2, 0.1], [0.95, 0.0], [0.0, 0.3]])
    assert representative_docs(weights, [0, 0, 0, 1], n_docs=2) == [[2, 0], [3]]


def test_display_names_prefer_analyst_names() -> None:
    assert topic_display_names(["請求・返金", "電波・遅い"], {1: "通信品質"}) == ["請求・返金", "通信品質"]
