"""A whole support call, segment by segment, as the pipeline hands it to the redactor."""

from __future__ import annotations

from voc.redaction import PiiType, redact_segments

SAME = None

CALL: list[tuple[str, str, str | None]] = [
    # speaker, transcript segment, expected after redaction (SAME: unchanged)
    # The operator's own name is redacted too (voc.redaction.names: speaker roles can be wrong on mono).
    ("op", "お電話ありがとうございます。ボックスモバイルの佐藤でございます", "お電話ありがとうございます。ボックスモバイルの［氏名］でございます"),  # noqa: E501
    ("cu", "あの、プランの変更をお願いしたくて", SAME),
    ("op", "ご本人確認のため、ご契約のお電話番号をお願いします", SAME),
    ("cu", "ゼロキューゼロの、イチニーサンヨンの", "［電話番号］"),
    ("cu", "ゴーロクナナハチです", "［電話番号］です"),
    ("op", "ありがとうございます。生年月日もお願いします", SAME),
    ("cu", "昭和55年3月12日です", "［生年月日］です"),
    ("op", "ご住所は東京都港区芝公園四丁目2番8号ですか", "ご住所は［住所］ですか"),
    ("cu", "はい、郵便番号は105-0011です", "はい、郵便番号は［郵便番号］です"),
    ("op", "現在は月額9800円の2年契約で、5GBのプランですね", SAME),
    ("cu", "はい。20パーセント安くなるプランがあると聞いて", SAME),
    ("op", "月額九千八百円から七千九百八十円になります。お支払いはカードですか", SAME),
    ("cu", "はい、カード番号は四一一一の一一一一の", "はい、カード番号は［カード番号］"),
    ("cu", "一一一一の一一一一です", "［カード番号］です"),
    ("op", "カード裏面のセキュリティコードをお願いします", SAME),
    ("cu", "123です", "［セキュリティコード］です"),
    ("op", "ご本人確認書類として、マイナンバーカードの個人番号をお願いします", SAME),
    ("cu", "1234の5678の9018です", "［個人番号］です"),
    ("op", "返金先の口座番号をお願いします", SAME),
    ("cu", "普通の7654321です", "普通の［口座番号］です"),
    ("op", "控えをメールでお送りします", SAME),
    ("cu", "yamada アットマーク example ドット jp でお願いします", "［メールアドレス］ でお願いします"),
    ("op", "10時30分までに手続きが完了します。3回目のお問い合わせありがとうございました", SAME),
]  # fmt: skip


def test_a_support_call_keeps_the_conversation_and_loses_the_pii() -> None:
    results = redact_segments([(speaker, text) for speaker, text, _ in CALL])
    assert [r.text for r in results] == [text if expected is SAME else expected for _, text, expected in CALL]


def test_the_call_reports_every_pii_type_it_removed() -> None:
    results = redact_segments([(speaker, text) for speaker, text, _ in CALL])
    assert set().union(*(r.types for r in results)) == set(PiiType)
