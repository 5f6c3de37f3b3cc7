from __future__ import annotations

from voc.asr.roles import assign_roles, score_text
from voc.asr.transcript import Speaker, TranscriptSegment


def seg(start: float, end: float, text: str) -> TranscriptSegment:
    return TranscriptSegment(Speaker.UNKNOWN, start, end, text, -0.2, 0.01)


def test_keigo_scores_as_operator_and_complaints_as_customer() -> None:
    assert score_text("お電話ありがとうございます、さくらモバイルの田中でございます。") > 0
    assert score_text("承知いたしました。少々お待ちください。") > 0
    assert score_text("もしもし、請求のことで相談したいんですが。") < 0
    assert score_text("はい") == 0


def test_unscored_segments_alternate_after_a_gap_and_continue_without_one() -> None:
    segments = [
        seg(0.6, 5.0, "お電話ありがとうございます、田中でございます。"),  # operator by pattern
        seg(6.0, 8.0, "はい、山田です。"),  # after a 1 s gap: the other party
        seg(8.1, 9.0, "えっと"),  # no gap: same speaker continues
        seg(10.0, 12.0, "ありがとうございます。"),  # gap: alternates back
    ]
    assert [s.speaker for s in assign_roles(segments)] == ["operator", "customer", "customer", "operator"]


def test_an_open_first_segment_is_the_operator_greeting() -> None:
    segments = [
        seg(0.5, 2.0, "お店はありがとうございます"),
        seg(3.0, 5.0, "今月の請求が二重になっているんです"),
    ]
    assert [s.speaker for s in assign_roles(segments)] == ["operator", "customer"]


def test_no_pattern_anywhere_leaves_everyone_unknown() -> None:
    segments = [seg(0.0, 1.0, "はい"), seg(2.0, 3.0, "そうですね")]
    assert {s.speaker for s in assign_roles(segments)} == {"unknown"}


def voiced(start: float, text: str, voice: int | None) -> TranscriptSegment:
    return TranscriptSegment(Speaker.UNKNOWN, start, start + 1.0, text, -0.2, 0.01, voice=voice)


def test_with_voices_each_voice_takes_one_role_from_the_phrase_evidence() -> None:
    segments = [
        voiced(0.0, "はい", 1),  # the customer spoke first (an outbound call)
        voiced(2.0, "お電話ありがとうございます、田中でございます。", 0),
        voiced(4.0, "料金が高すぎるんですよ", 1),
        voiced(6.0, "申し訳ございません", 0),
        voiced(8.0, "はい", 0),  # no phrase: still the operator's voice
        voiced(9.0, "ええ", None),  # no island near it: the voice of the segment before
    ]
    assert [s.speaker for s in assign_roles(segments)] == [
        "customer", "operator", "customer", "operator", "operator", "operator",
    ]  # fmt: skip


def test_with_voices_and_no_phrase_evidence_the_opening_voice_is_the_operator() -> None:
    segments = [voiced(0.0, "はい", 1), voiced(2.0, "ええ", 0), voiced(4.0, "そうですね", 1)]
    assert [s.speaker for s in assign_roles(segments)] == ["operator", "customer", "operator"]
