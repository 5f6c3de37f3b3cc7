"""TF-IDF → NMF topic model over already-tokenized documents, with automatic choice of the topic count.

Documents come in as token lists (``Sequence[Sequence[str]]``) from ``voc.nlp`` — this module never
tokenizes, so one-character words (高, 円) and features (``DESIRE:解約``, ``使える_NEG``) reach the model.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from voc.topics.labels import TopicLabel, label_topics, representative_docs

log = logging.getLogger(__name__)

Docs = Sequence[Sequence[str]]


def identity_analyzer(tokens: Sequence[str]) -> Sequence[str]:
    """The documents are already analysed; module-level so that fitted models pickle."""
    return tokens


class TopicModel(BaseEstimator):  # type: ignore[misc]
    """Topics of short Japanese texts: TF-IDF (float32) → NMF (``init="nndsvd"``), labels by c-TF-IDF.

    Choice of the number of topics (when ``n_topics`` is None) — **assignment stability** (in the spirit
    of Lange et al. 2004 and Greene et al. 2014): on a random subsample of at most ``selection_sample``
    documents, for each k in ``k_range`` fit a reference NMF, then ``n_stability_runs`` NMFs on random
    ``stability_sample_frac`` subsets of that subsample (drawn from the seeded generator), and score k
    by the mean adjusted Rand index between the topic assignments of the shared documents. With too few
    topics, themes merge differently from subset to subset; with too many, a theme splits arbitrarily;
    at the right k the same documents group together again. ARI is corrected for chance, so small k
    gets no free agreement (top-term Jaccard, tried first, favoured k = 3 on our synthetic corpora).
    Largest score wins (ties → the smaller k); the curve is kept in ``k_scores_``. The full model is
    then fit on all documents with that k, so the selection cost does not grow with the corpus (≈ 65
    small fits with a looser tolerance, BLAS limited to one thread: threads only add overhead there).

    Learned attributes: ``vectorizer_``, ``nmf_``, ``n_topics_``, ``k_scores_`` (k → stability, empty when
    ``n_topics`` was given), ``topic_terms_`` (per topic, top NMF tokens with weights), ``topic_info_``
    (per topic, :class:`~voc.topics.labels.TopicLabel`), ``topic_labels_`` (label strings such as
    「請求・返金・明細」), ``doc_topics_`` (topic of each training document, -1 = none),
    ``representative_docs_`` (per topic, training-document indices with the highest weight).
    """

    def __init__(
        self,
        n_topics: int | None = None,
        k_range: tuple[int, int] = (3, 15),
        max_features: int | None = 20_000,
        min_df: int = 2,
        max_df: float = 1.0,
        random_state: int = 0,
        selection_sample: int = 3_000,
        n_stability_runs: int = 4,
        stability_sample_frac: float = 0.8,
        stability_top_n: int = 10,
        max_iter: int = 300,
        tol: float = 1e-4,
        selection_max_iter: int = 100,
        selection_tol: float = 1e-3,
        n_label_terms: int = 3,
        n_terms: int = 10,
        n_representative: int = 5,
    ) -> None:
        self.n_topics = n_topics
        self.k_range = k_range
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.random_state = random_state
        self.selection_sample = selection_sample
        self.n_stability_runs = n_stability_runs
        self.stability_sample_frac = stability_sample_frac
        self.stability_top_n = stability_top_n
        self.max_iter = max_iter
        self.tol = tol
        self.selection_max_iter = selection_max_iter
        self.selection_tol = selection_tol
        self.n_label_terms = n_label_terms
        self.n_terms = n_terms
        self.n_representative = n_representative

    # --- fitting -------------------------------------------------------------------------------------------

    def _nmf(self, k: int, selection: bool = False) -> NMF:
        # Selection only compares assignments, so a looser, shorter solve is enough there.
        return NMF(
            n_components=k,
            init="nndsvd",
            random_state=self.random_state,
            max_iter=self.selection_max_iter if selection else self.max_iter,
            tol=self.selection_tol if selection else self.tol,
        )

    def _fit_nmf(self, nmf: NMF, x: sparse.csr_matrix) -> np.ndarray:
        # Short texts often stop at max_iter with a fine solution; a warning per fit would be noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return np.asarray(nmf.fit_transform(x))

    def _select_k(self, x: sparse.csr_matrix) -> tuple[int, dict[int, float]]:
        rng = np.random.default_rng(self.random_state)
        n = x.shape[0]
        if n > self.selection_sample:
            x = x[np.sort(rng.choice(n, size=self.selection_sample, replace=False))]
            n = x.shape[0]
        x = x[:, np.flatnonzero(x.getnnz(axis=0))]  # terms absent from the sample only cost SVD time
        m = max(2, int(self.stability_sample_frac * n))
        lo, hi = self.k_range
        # NMF (nndsvd) needs k ≤ min(samples, terms) for the stability subsets too, not only the sample.
        hi = min(hi, n - 1, m, x.shape[1] - 1)
        if hi < 2:  # too few documents or terms to compare partitions
            return max(hi, 1), {}
        lo = max(2, min(lo, hi))
        subsets = [np.sort(rng.choice(n, size=m, replace=False)) for _ in range(self.n_stability_runs)]
        scores: dict[int, float] = {}
        with threadpool_limits(limits=1, user_api="blas"):
            for k in range(lo, hi + 1):
                ref = self._assign(self._fit_nmf(self._nmf(k, selection=True), x))
                runs = [
                    adjusted_rand_score(
                        ref[subset], self._assign(self._fit_nmf(self._nmf(k, selection=True), x[subset]))
                    )
                    for subset in subsets
                ]
                scores[k] = float(np.mean(runs))
                log.debug("topic count %d: stability %.3f", k, scores[k])
        best = max(scores, key=lambda k: (round(scores[k], 6), -k))
        return best, scores

    def fit(self, docs: Docs, y: Any = None) -> TopicModel:
        """Vectorize, choose k (unless ``n_topics``), fit NMF, assign and label topics. Returns self."""
        self.vectorizer_ = TfidfVectorizer(
            analyzer=identity_analyzer,
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            dtype=np.float32,
            sublinear_tf=True,
        )
        x = sparse.csr_matrix(self.vectorizer_.fit_transform(docs))
        if self.n_topics is None:
            self.n_topics_, self.k_scores_ = self._select_k(x)
        else:
            self.n_topics_, self.k_scores_ = self.n_topics, {}
        log.info("fitting %d topics on %d documents, %d terms", self.n_topics_, x.shape[0], x.shape[1])
        self.nmf_ = self._nmf(self.n_topics_)
        weights = self._fit_nmf(self.nmf_, x)
        self.doc_topics_ = self._assign(weights)
        vocab = self.vectorizer_.get_feature_names_out()
        comps = np.asarray(self.nmf_.components_, dtype=np.float64)
        comps = comps / np.maximum(np.linalg.norm(comps, axis=1, keepdims=True), 1e-12)
        top = np.argsort(-comps, axis=1, kind="stable")[:, : self.n_terms]
        self.topic_terms_: list[list[tuple[str, float]]] = [
            [(str(vocab[j]), float(comps[t, j])) for j in row if comps[t, j] > 0] for t, row in enumerate(top)
        ]
        self.topic_info_: list[TopicLabel] = label_topics(
            docs, self.doc_topics_, self.n_topics_, self.n_label_terms, self.n_terms
        )
        self.topic_labels_: list[str] = [info.label for info in self.topic_info_]
        self.representative_docs_ = representative_docs(weights, self.doc_topics_, self.n_representative)
        return self

    # --- inference -----------------------------------------------------------------------------------------

    @staticmethod
    def _assign(weights: np.ndarray) -> np.ndarray:
        topics: np.ndarray = np.argmax(weights, axis=1).astype(np.int64)
        topics[weights.max(axis=1) <= 0] = -1
        return topics

    def transform(self, docs: Docs) -> np.ndarray:
        """Document-topic weights (n_docs × n_topics) for new documents with the fitted model (no refit)."""
        x = self.vectorizer_.transform(docs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            weights: np.ndarray = np.asarray(self.nmf_.transform(x))
        return weights

    def predict(self, docs: Docs) -> np.ndarray:
        """Topic id of each document, or -1 when no topic has any weight (no known term)."""
        return self._assign(self.transform(docs))

    def fit_predict(self, docs: Docs, y: Any = None) -> np.ndarray:
        return self.fit(docs).doc_topics_

    def topic_vectors(self, top_n: int = 100) -> list[dict[str, float]]:
        """Per topic, its ``top_n`` heaviest tokens → unit-normalised NMF weight (for naming)."""
        vocab = self.vectorizer_.get_feature_names_out()
        out: list[dict[str, float]] = []
        for row in np.asarray(self.nmf_.components_, dtype=np.float64):
            idx = [j for j in np.argsort(-row, kind="stable")[:top_n] if row[j] > 0]
            norm = float(np.linalg.norm(row[idx])) or 1.0
            out.append({str(vocab[j]): float(row[j]) / norm for j in idx})
        return out
