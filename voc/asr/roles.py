"""Who speaks in a mono recording: the two voices, named from the words.

With voices (:mod:`voc.asr.voices`: the segments were cut where the voice changes, each knows its
voice), all segments of one voice get one role: the voice whose segments score more operator than
customer phrases (below) is the operator; with no phrase evidence either way, the voice that opens
the call is (inbound calls open with the operator's greeting).

Without voices (one voice, or two too alike), a documented heuristic on the words alone:

1. Each segment is scored by phrase patterns. Operator patterns are the keigo of Japanese contact-centre
   scripts (お電話ありがとうございます, でございます, 承知いたしました, かしこまりました, 恐れ入りますが,
   申し訳ございません, 少々お待ちください, お待たせいたしました, ご案内いたします, …); customer patterns are
   plain-polite requests and complaints (もしもし, 〜んですが, 〜んですよ, 解約したい, 困って, …).
   More operator than customer hits → operator, and the reverse → customer; a tie leaves it open.
2. If no segment matched any pattern, every segment stays ``unknown``.
3. Otherwise an open first segment is the operator (inbound calls open with the greeting), and each later
   open segment takes a role from the one before it: starting within ``same_turn_gap_s`` of its end it
   continues that turn; after a longer gap it begins a new turn and alternates to the other party.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from voc.asr.transcript import Speaker, TranscriptSegment

__all__ = ["CUSTOMER_PATTERNS", "OPERATOR_PATTERNS", "assign_roles", "score_text"]

OPERATOR_PATTERNS: tuple[str, ...] = (
    r"お電話ありがとうございま",
    r"でございま",
    r"承知(いた)?しました",
    r"かしこまりました",
    r"恐れ入ります",
    r"おそれいります",
    r"申し訳(ござい|ありま)せん",
    r"少々お待ち",
    r"お待たせ(いた)?しました",
    r"ご案内(いた)?します",
    r"確認(いた)?します",
    r"いただけますでしょうか",
    r"(お|ご)[一-龥]{1,4}(いただ|くださ)",
    r"様[、。]?$|様、",
    r"担当",
    r"承ります",
    r"いかがでしょうか",
)
CUSTOMER_PATTERNS: tuple[str, ...] = (
    r"^もしもし",
    r"んですが",
    r"んですけど",
    r"んですよ",
    r"(解約|キャンセル|返品)したい",
    r"困って",
    r"高すぎ",
    r"どうなって",
    r"教えてください",
    r"してほしい",
    r"なんですか",
    r"ないですか",
    r"んです[。！]?$",
)
_OPERATOR = tuple(re.compile(p) for p in OPERATOR_PATTERNS)
_CUSTOMER = tuple(re.compile(p) for p in CUSTOMER_PATTERNS)


def score_text(text: str) -> int:
    """Operator pattern hits minus customer pattern hits."""
    return sum(bool(p.search(text)) for p in _OPERATOR) - sum(bool(p.search(text)) for p in _CUSTOMER)


def _other(speaker: Speaker) -> Speaker:
    return Speaker.CUSTOMER if speaker == Speaker.OPERATOR else Speaker.OPERATOR


def _roles_by_voice(segments: Sequence[TranscriptSegment]) -> list[TranscriptSegment]:
    evidence = {0: 0, 1: 0}
    for segment in segments:
        if segment.voice is not None:
            evidence[segment.voice] += score_text(segment.text)
    first = next(s.voice for s in segments if s.voice is not None)
    # More operator phrases decide; with no difference, the voice that opens the call is the operator.
    operator_voice = first if evidence[0] == evidence[1] else int(evidence[1] > evidence[0])
    roles: list[Speaker] = []
    for segment in segments:
        if segment.voice is not None:
            roles.append(Speaker.OPERATOR if segment.voice == operator_voice else Speaker.CUSTOMER)
        else:  # no island near it: the voice of the segment before, the opener's for the first
            opener = Speaker.OPERATOR if first == operator_voice else Speaker.CUSTOMER
            roles.append(roles[-1] if roles else opener)
    return [replace(segment, speaker=role) for segment, role in zip(segments, roles, strict=True)]


def assign_roles(
    segments: Sequence[TranscriptSegment], *, same_turn_gap_s: float = 0.3
) -> list[TranscriptSegment]:
    """Label time-ordered mono segments ``operator`` / ``customer`` (or all ``unknown``)."""
    if any(segment.voice is not None for segment in segments):
        return _roles_by_voice(segments)
    scored: list[Speaker | None] = []
    for segment in segments:
        score = score_text(segment.text)
        scored.append(Speaker.OPERATOR if score > 0 else Speaker.CUSTOMER if score < 0 else None)
    if all(speaker is None for speaker in scored):
        return [replace(segment, speaker=Speaker.UNKNOWN) for segment in segments]
    roles: list[Speaker | None] = list(scored)
    if roles[0] is None:
        roles[0] = Speaker.OPERATOR  # inbound calls open with the operator's greeting
    for i in range(1, len(segments)):
        if roles[i] is None:
            previous = roles[i - 1]
            assert previous is not None
            gap = segments[i].start - segments[i - 1].end
            roles[i] = previous if gap < same_turn_gap_s else _other(previous)
    return [
        replace(segment, speaker=role or Speaker.UNKNOWN)
        for segment, role in zip(segments, roles, strict=True)
    ]
