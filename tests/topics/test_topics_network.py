"""Co-occurrence network: JSON shape, exact Jaccard on a hand-made example, SVG rendering."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from voc.topics.network import cooccurrence_network, to_svg

DOCS = [
    ["料金", "高い", "が", "DESIRE:解約"],
    ["料金", "高い", "解約"],
    ["料金", "解約"],
    ["電波", "遅い", "繋がる_NEG"],
    ["電波", "遅い", "繋がる_NEG", "電波"],
]


def test_network_jaccard_and_communities() -> None:
    net = cooccurrence_network(DOCS, min_freq=2, top_edges=60)
    edges = {(e["source"], e["target"]): e["jaccard"] for e in net["edges"]}
    assert edges == {
        ("料金", "解約"): pytest.approx(2 / 3),
        ("料金", "高い"): pytest.approx(2 / 3),
        ("解約", "高い"): pytest.approx(1 / 3),
        ("繋がらない", "遅い"): pytest.approx(1.0),
        ("繋がらない", "電波"): pytest.approx(1.0),
        ("遅い", "電波"): pytest.approx(1.0),
    }
    nodes = {n["id"]: n for n in net["nodes"]}
    assert set(nodes) == {"料金", "高い", "解約", "電波", "遅い", "繋がらない"}  # no particle, no feature
    assert nodes["電波"]["freq"] == 3 and nodes["料金"]["freq"] == 3
    assert nodes["料金"]["community"] == nodes["解約"]["community"] == nodes["高い"]["community"]
    assert nodes["電波"]["community"] == nodes["遅い"]["community"] != nodes["料金"]["community"]
    assert json.loads(json.dumps(net, ensure_ascii=False)) == net
    assert next(list(n) for n in net["nodes"]) == ["id", "freq", "community"]
    assert next(list(e) for e in net["edges"]) == ["source", "target", "jaccard"]


def test_network_keeps_the_strongest_edges_only() -> None:
    net = cooccurrence_network(DOCS, min_freq=2, top_edges=4)
    assert [e["jaccard"] for e in net["edges"]] == pytest.approx([1.0, 1.0, 1.0, 2 / 3])
    assert {n["id"] for n in net["nodes"]} == {"電波", "遅い", "繋がらない", "料金", "解約"}


def test_network_of_nothing_is_empty() -> None:
    assert cooccurrence_network([["料金"]], min_freq=1) == {"nodes": [], "edges": []}
    assert to_svg({"nodes": [], "edges": []}).startswith("<svg")


def test_svg_draws_every_word() -> None:
    net = cooccurrence_network([*DOCS, ["<script>", "<script>", "料金"]], min_freq=2)
    svg = to_svg(net, seed=1)
    root = ET.fromstring(svg)  # well-formed XML, text escaped
    ns = "{http://www.w3.org/2000/svg}"
    assert sorted(t.text or "" for t in root.iter(ns + "text")) == sorted(n["id"] for n in net["nodes"])
    assert len(list(root.iter(ns + "circle"))) == len(net["nodes"])
    assert len(list(root.iter(ns + "line"))) == len(net["edges"])
    assert to_svg(net, seed=1) == svg  # same seed, same drawing
