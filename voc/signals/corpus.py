"""The labelled utterances the detector is trained and measured on (``models/signals/``).

``corpus.jsonl`` (written by ``scripts/make_signal_corpus.py``): one utterance per line with its phrasing
``family`` (the group held out together), ``speaker``, ``text``, the five signal labels, ``sentiment``,
``register`` and ``kind`` (positive / decoy / neutral / operator). ``heard.jsonl`` (written by
``scripts/render_heard.py``): what the bundled Whisper heard of a rendered subset, ``{"id", "text",
"heard", "voice"}``; a heard line inherits its clean line's labels and family, so a family and its heard
copies are always on the same side of a split.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from voc.errors import InvalidInputError
from voc.signals.rules import SIGNAL_TYPES

SENTIMENT_LABELS = frozenset({"negative", "neutral", "positive"})
HEARD_SUFFIX = "#heard"  # a heard copy's id is its clean line's id plus this


class CorpusError(InvalidInputError):
    """A corpus line that cannot be used, with its file and line number."""


@dataclass(frozen=True, slots=True)
class LabelledUtterance:
    id: str
    family: str
    speaker: str
    text: str
    labels: tuple[int, ...]  # in SIGNAL_TYPES order
    sentiment: str
    kind: str = "positive"
    register: str = ""
    heard: bool = False  # text is Whisper's rendering of the clean line

    def label(self, signal: str) -> int:
        return self.labels[SIGNAL_TYPES.index(signal)]


def _parse(obj: dict[str, Any], where: str) -> LabelledUtterance:
    try:
        labels = obj["labels"]
        values = tuple(int(labels.get(s, 0)) for s in SIGNAL_TYPES)
        sentiment = str(obj.get("sentiment", "neutral"))
        if sentiment not in SENTIMENT_LABELS or any(v not in (0, 1) for v in values):
            raise CorpusError(f"{where}: bad sentiment or label values")
        uid = str(obj["id"])
        return LabelledUtterance(
            id=uid,
            family=str(obj.get("family", uid)),
            speaker=str(obj.get("speaker", "customer")),
            text=str(obj["text"]),
            labels=values,
            sentiment=sentiment,
            kind=str(obj.get("kind", "positive" if any(values) else "neutral")),
            register=str(obj.get("register", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{where}: {exc!r}") from exc


def _lines(path: Path) -> Iterable[tuple[str, dict[str, Any]]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                yield f"{path}:{number}", json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{path}:{number}: {exc}") from exc


def load_corpus(path: Path) -> list[LabelledUtterance]:
    items = [_parse(obj, where) for where, obj in _lines(path)]
    ids = [u.id for u in items]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{path}: duplicate ids")
    return items


def load_heard(path: Path, clean: Sequence[LabelledUtterance]) -> list[LabelledUtterance]:
    """Heard copies of ``clean`` lines (unknown ids and empty transcripts are skipped)."""
    if not path.is_file():
        return []
    by_id = {u.id: u for u in clean}
    out = []
    for _, obj in _lines(path):
        source = by_id.get(str(obj.get("id")))
        heard = str(obj.get("heard", "")).strip()
        # A line rendered from words the corpus no longer holds under this id is stale.
        stale = source is not None and "text" in obj and obj["text"] != source.text
        if source is not None and heard and not stale:
            out.append(replace(source, id=source.id + HEARD_SUFFIX, text=heard, heard=True))
    return out
