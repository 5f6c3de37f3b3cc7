"""``voc bench nlp`` tokenizes the customer lines of the committed signals corpus."""

from __future__ import annotations

import json
from pathlib import Path

from voc.bench.nlp import customer_lines


def test_only_customer_lines_up_to_the_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": "a", "speaker": "customer", "text": "料金が高すぎます", "labels": {}},
        {"id": "b", "speaker": "operator", "text": "承知いたしました", "labels": {}},
        {"id": "c", "speaker": "customer", "text": "解約したいです", "labels": {}},
        {"id": "d", "speaker": "customer", "text": "他社の方が安い", "labels": {}},
    ]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert customer_lines(corpus, 2) == ["料金が高すぎます", "解約したいです"]
