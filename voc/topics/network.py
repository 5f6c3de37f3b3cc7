"""KH Coder style co-occurrence network of words, as JSON-ready data and as a dependency-free SVG.

Words are the readable forms of analysis tokens (features with ``:`` and particles/fillers dropped, negations
shown as 「〜ない」, see :func:`voc.topics.labels.readable_term`). A word's ``freq`` is its number of
occurrences; it enters the network when ``freq ≥ min_freq``. The edge weight is the Jaccard coefficient over
documents, |docs with both| / |docs with either|; the ``top_edges`` strongest edges are kept (ties broken by
word order, so the result is deterministic) and only words on a kept edge become nodes. Communities: networkx
greedy modularity on the Jaccard-weighted graph, numbered by size (0 = largest).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from html import escape
from typing import Any

import networkx as nx
import numpy as np
from scipy import sparse
from typing_extensions import TypedDict  # pydantic reads typing.TypedDict only from Python 3.12

from voc.topics.labels import readable_term


class Node(TypedDict):
    id: str
    freq: int
    community: int


class Edge(TypedDict):
    source: str
    target: str
    jaccard: float


class Network(TypedDict):
    nodes: list[Node]
    edges: list[Edge]


def cooccurrence_network(
    docs: Sequence[Sequence[str]],
    min_freq: int = 3,
    top_edges: int = 60,
    max_words: int = 300,
    readable_only: bool = True,
) -> Network:
    """Co-occurrence network of ``docs`` (token lists). ``max_words`` bounds the candidate words (the most
    frequent ones) so that the pairwise Jaccard stays cheap on large sets. ``readable_only=False`` keeps raw
    tokens as they are."""
    mapped = [[w for w in (readable_term(t) if readable_only else t for t in doc) if w] for doc in docs]
    freq: Counter[str] = Counter(w for doc in mapped for w in doc)
    frequent = sorted((w for w, f in freq.items() if f >= min_freq), key=lambda w: (-freq[w], w))
    candidates = sorted(frequent[:max_words])
    if len(candidates) < 2:
        return {"nodes": [], "edges": []}
    index = {w: i for i, w in enumerate(candidates)}
    rows, cols = [], []
    for d, words in enumerate(mapped):
        for w in set(words):
            if w in index:
                rows.append(d)
                cols.append(index[w])
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(docs), len(candidates)))
    both = sparse.triu(x.T @ x, k=1).tocoo()  # co-document counts, each unordered pair once
    df = np.asarray(x.sum(axis=0)).ravel()
    jac = both.data / (df[both.row] + df[both.col] - both.data)
    edges = sorted(
        zip((-jac).tolist(), both.row.tolist(), both.col.tolist(), strict=True),
        key=lambda e: (e[0], candidates[e[1]], candidates[e[2]]),
    )[:top_edges]
    graph = nx.Graph()
    for neg_j, i, j in edges:
        graph.add_edge(candidates[i], candidates[j], weight=-neg_j)
    communities = sorted(
        (sorted(c) for c in nx.community.greedy_modularity_communities(graph, weight="weight")),
        key=lambda c: (-len(c), c[0]),
    )
    community_of = {w: k for k, members in enumerate(communities) for w in members}
    nodes: list[Node] = [
        {"id": w, "freq": int(freq[w]), "community": community_of[w]} for w in sorted(graph.nodes)
    ]
    out_edges: list[Edge] = [
        {"source": candidates[i], "target": candidates[j], "jaccard": round(-neg_j, 6)}
        for neg_j, i, j in edges
    ]
    return {"nodes": nodes, "edges": out_edges}


# Okabe–Ito palette (colour-blind safe), then greys for small communities.
_PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999")


def to_svg(network: Network, width: int = 800, height: int = 600, seed: int = 0) -> str:
    """SVG drawing of a network from :func:`cooccurrence_network`: spring layout (networkx, fixed seed),
    circle area ∝ frequency, colour by community, line width ∝ Jaccard, Japanese words as ``<text>``."""
    font = "'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{font}" font-size="13">'
    )
    if not network["nodes"]:
        return head + "</svg>"
    graph = nx.Graph()
    graph.add_nodes_from(sorted(n["id"] for n in network["nodes"]))
    for e in network["edges"]:
        graph.add_edge(e["source"], e["target"], weight=e["jaccard"])
    pos: dict[Any, Any] = nx.spring_layout(graph, seed=seed, weight="weight")
    xy = np.array([pos[n["id"]] for n in network["nodes"]], dtype=np.float64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    margin = 50.0
    scaled = margin + (xy - lo) / span * np.array([width - 2 * margin, height - 2 * margin])
    at = {n["id"]: (float(p[0]), float(p[1])) for n, p in zip(network["nodes"], scaled, strict=True)}
    max_freq = max(n["freq"] for n in network["nodes"]) or 1
    parts = [head, '<g stroke="#888" stroke-opacity="0.7">']
    for e in network["edges"]:
        (x1, y1), (x2, y2) = at[e["source"]], at[e["target"]]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke-width="{0.5 + 4 * e["jaccard"]:.2f}"/>'
        )
    parts.append("</g><g>")
    for n in network["nodes"]:
        x, y = at[n["id"]]
        r = 6 + 18 * math.sqrt(n["freq"] / max_freq)
        colour = _PALETTE[min(n["community"], len(_PALETTE) - 1)]
        label = escape(n["id"])
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" fill-opacity="0.8">'
            f"<title>{label} ({n['freq']})</title></circle>"
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{label}</text>'
        )
    parts.append("</g></svg>")
    return "".join(parts)
