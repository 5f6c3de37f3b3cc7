"""Numbers and cues that span consecutive segments of a call are still caught."""

from __future__ import annotations

from voc.redaction import Redactor, redact_segments

CARD = "［カード番号］"
CODE = "［セキュリティコード］"
PHONE = "［電話番号］"
DOB = "［生年月日］"


def texts(segments: list[tuple[str, str]]) -> list[str]:
    return [r.text for r in redact_segments(segments)]


def test_card_number_split_across_two_segments_of_the_same_speaker() -> None:
    segments = [("customer", "4111の1111の"), ("customer", "1111の1111です")]
    assert texts(segments) == [CARD, f"{CARD}です"]


def test_card_number_split_with_the_operators_backchannel_in_between() -> None:
    segments = [
        ("operator", "カード番号をお願いします"),
        ("customer", "四一一一、一一一一、"),
        ("operator", "はい"),
        ("customer", "一一一一、一一一一です"),
    ]
    assert texts(segments) == ["カード番号をお願いします", CARD, "はい", f"{CARD}です"]


def test_phone_number_split_across_segments() -> None:
    segments = [("customer", "携帯は090の"), ("customer", "1234の5678です")]
    assert texts(segments) == [f"携帯は{PHONE}", f"{PHONE}です"]


def test_security_code_cue_in_the_operators_question() -> None:
    segments = [
        ("operator", "最後に、カード裏面のセキュリティコードをお願いいたします"),
        ("customer", "123です"),
    ]
    assert texts(segments) == [segments[0][1], f"{CODE}です"]


def test_security_code_cue_a_few_segments_back() -> None:
    segments = [
        ("operator", "セキュリティコードをお願いします"),
        ("customer", "はい"),
        ("operator", "3桁の数字です"),
        ("customer", "えっと、四五六です"),
    ]
    assert texts(segments)[3] == f"えっと、{CODE}です"


def test_birth_date_cue_in_the_operators_question() -> None:
    segments = [
        ("operator", "ご本人確認のため生年月日をお願いします"),
        ("customer", "昭和五十五年三月十二日です"),
    ]
    assert texts(segments)[1] == f"{DOB}です"


def test_numbers_of_two_speakers_are_not_joined() -> None:
    # The operator's plan price and the customer's answer are two numbers, neither PII.
    segments = [("operator", "月額は3980"), ("customer", "1234ですか")]
    assert texts(segments) == ["月額は3980", "1234ですか"]


def test_a_cue_far_back_does_not_make_later_short_numbers_codes() -> None:
    segments = [
        ("operator", "セキュリティコードを確認しました"),
        ("customer", "はい"),
        ("operator", "次にご契約内容ですが"),
        ("customer", "はい"),
        ("operator", "プランは変更なしです"),
        ("customer", "123番の窓口でいいですか"),
    ]
    assert texts(segments)[5] == "123番の窓口でいいですか"


def test_spans_refer_to_each_segments_own_text() -> None:
    segments = [("c", "番号は4111の1111の"), ("c", "1111の1111です")]
    first, second = redact_segments(segments)
    (r1,) = first.redactions
    (r2,) = second.redactions
    assert segments[0][1][r1.start : r1.end] == "4111の1111の"
    assert segments[1][1][r2.start : r2.end] == "1111の1111"


def test_disabled_redactor_returns_segments_unchanged() -> None:
    segments = [("c", "4111の1111の"), ("c", "1111の1111です")]
    results = Redactor(enabled=False).redact_segments(segments)
    assert [r.text for r in results] == [t for _, t in segments]
    assert all(not r.redactions for r in results)


def test_card_read_in_chunks_with_the_operators_read_back() -> None:
    segments = [
        ("operator", "カード番号をお願いします"),
        ("customer", "4111の1111"),
        ("operator", "4111の1111ですね"),
        ("customer", "はい、続けて1111の1111"),
        ("operator", "1111の1111ですね"),
        ("customer", "はい"),
        ("operator", "ありがとうございます。月額は3980円になります"),
    ]
    assert texts(segments) == [
        "カード番号をお願いします",
        CARD,
        f"{CARD}ですね",
        f"はい、続けて{CARD}",
        f"{CARD}ですね",
        "はい",
        "ありがとうございます。月額は3980円になります",
    ]


def test_phone_read_back_in_parts_is_redacted() -> None:
    segments = [
        ("operator", "お電話番号をお願いします"),
        ("customer", "090の1234"),
        ("operator", "090の1234ですね"),
        ("customer", "はい、5678です"),
        ("operator", "5678ですね。ありがとうございます"),
    ]
    assert texts(segments) == [
        "お電話番号をお願いします",
        PHONE,
        f"{PHONE}ですね",
        f"はい、{PHONE}です",
        f"{PHONE}ですね。ありがとうございます",
    ]


def test_words_between_chunks_of_one_number_stay_readable() -> None:
    assert texts([("c", "4111の1111です、1111の1111です")]) == [f"{CARD}です、{CARD}です"]


def test_a_price_after_a_phone_number_stays() -> None:
    segments = [
        ("operator", "ご本人確認のためお電話番号をお願いします。"),
        ("customer", "電話番号は090の1234の5678です。料金が高すぎると思います。"),
        ("customer", "月額九千八百円は割に合わないです。"),
    ]
    assert texts(segments)[1:] == [f"電話番号は{PHONE}です。料金が高すぎると思います。", segments[2][1]]
