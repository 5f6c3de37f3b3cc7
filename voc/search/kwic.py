"""KWIC: every occurrence of a lemma or a phrase across transcripts, with its left and right context.

A query that the tokenizer turns into one analysis token (解約, 高い, 使える_NEG, コスパ…) matches that
token in the segments' stored tokens, so 高かった and 高すぎる are found by 高い; anything else is a
phrase, matched in the text as written (after NFKC). Each hit names the call, the speaker and the second.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from voc.db.calls import Call, Segment
from voc.db.types import IsoDateTime
from voc.nlp.tokenizer import JapaneseTokenizer


@dataclass(frozen=True)
class KwicHit:
    call_id: int
    external_id: str | None
    started_at: IsoDateTime | None
    speaker: str
    start: float
    end: float
    left: str
    match: str
    right: str

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat() if self.started_at else None
        return data


def query_token(query: str, tokenizer: JapaneseTokenizer) -> str | None:
    """The single analysis token a query stands for, or ``None`` when it is a phrase.

    The token must cover the whole query: 料金が高 keeps only 料金 after analysis, so it is a phrase.
    """
    words = [t for t in tokenizer.analyze(query) if t.kind != "feature"]
    if len(words) == 1 and words[0].start == 0 and words[0].end == len(query):
        return words[0].text
    return None


def _spans(
    text: str, query: str, token: str | None, tokenizer: JapaneseTokenizer
) -> Iterator[tuple[int, int]]:
    if token is not None:
        for t in tokenizer.analyze(text):
            if t.text == token:
                yield t.start, t.end
        return
    norm_text, norm_query = unicodedata.normalize("NFKC", text), unicodedata.normalize("NFKC", query)
    if len(norm_text) != len(text):  # offsets would drift: search the text as written
        norm_text, norm_query = text, query
    start = norm_text.find(norm_query)
    while start >= 0 and norm_query:
        yield start, start + len(norm_query)
        start = norm_text.find(norm_query, start + len(norm_query))


def kwic(
    session: Session,
    query: str,
    tokenizer: JapaneseTokenizer,
    *,
    speaker: str | None = None,
    width: int = 20,
    limit: int = 200,
    call_ids: list[int] | None = None,
) -> list[KwicHit]:
    """Hits in call order (newest call first), then time within the call."""
    query = query.strip()
    if not query:
        return []
    token = query_token(query, tokenizer)
    stmt = (
        select(Segment, Call)
        .join(Call, col(Call.id) == col(Segment.call_id))
        .order_by(col(Call.started_at).desc(), col(Call.id).desc(), col(Segment.idx))
    )
    # Cheap pre-filter in SQL; the exact match is decided on the analysed text below.
    if token is not None:
        stmt = stmt.where(cast(Segment.tokens, String).contains(f'"{token}"'))
    else:
        stmt = stmt.where(col(Segment.text).contains(query))
    if speaker:
        stmt = stmt.where(Segment.speaker == speaker)
    if call_ids is not None:
        stmt = stmt.where(col(Segment.call_id).in_(call_ids))
    hits: list[KwicHit] = []
    for segment, call in session.exec(stmt):
        assert call.id is not None
        for start, end in _spans(segment.text, query, token, tokenizer):
            hits.append(
                KwicHit(
                    call_id=call.id,
                    external_id=call.external_id,
                    started_at=call.started_at,
                    speaker=segment.speaker,
                    start=segment.start,
                    end=segment.end,
                    left=segment.text[max(0, start - width) : start],
                    match=segment.text[start:end],
                    right=segment.text[end : end + width],
                )
            )
            if len(hits) >= limit:
                return hits
    return hits
