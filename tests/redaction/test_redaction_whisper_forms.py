"""The forms issue 17 lists, written the ways Whisper writes them (not taken from the corpus)."""

from __future__ import annotations

import pytest

from voc.redaction import PiiType, Redactor
from voc.redaction.names import PersonName

REDACTOR = Redactor(enabled=True)


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("青年月日は、1985年、4月12日です。", ["1985", "4月12日"]),
        ("正念月日は1985年4月12日です", ["1985", "4月12日"]),
        ("せいねんがっぴは、昭和60年、4月12日です", ["昭和60年", "4月12日"]),
        ("生年月日は1985年の4月の12日です", ["1985", "12日"]),
        ("誕生日は、4月、12日です", ["4月", "12日"]),
        ("クレジッドカードの番号は4111 1111 1111 1112です", ["4111", "1112"]),
        ("カード番号は、4111、1111、1111、1112です", ["4111", "1112"]),
        ("カード晩号は5123の4567の8901の2345です", ["5123", "2345"]),
        (
            "電話番号はゼロハチゼロ、イチニーサンヨン、ゴーロクナナハチです",
            ["ゼロハチゼロ", "ゴーロクナナハチ"],
        ),
        (
            "でんわばんごうは、ぜろはちぜろ いちにさんよん ごろくななはちです",
            ["ぜろはちぜろ", "ごろくななはち"],
        ),
        ("お電話番号は、080の、1234の、5678です", ["080", "5678"]),
        ("セキュリティコードは、いちにさんです", ["いちにさん"]),
        (
            "メールアドレスは、yamada、アットマーク、example、ドット、co、ドット、jpです",
            ["yamada", "example"],
        ),
        ("メールはヤマダ、アットマーク、ジーメール、ドッド、コムです", ["ヤマダ", "ジーメール"]),
        ("メールは山田タロウ123アットマークジーメールドットコムです", ["山田タロウ123", "ジーメール"]),
        ("住所は東京都、世田谷区、桜新町、1丁目、2番地、3号です", ["桜新町", "1丁目", "2番地", "3号"]),
        ("住所は大阪府大阪市北区梅田、3の5の12です", ["梅田", "12"]),
        ("マイナンバーは、1234、5678、9012です", ["1234", "9012"]),
        ("口座番号は、普通の、1234567です", ["1234567"]),
    ],
)
def test_whisper_forms_of_pii_are_redacted(text: str, secrets: list[str]) -> None:
    out = REDACTOR.redact(text).text
    for secret in secrets:
        assert secret not in out, out


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("3回目の電話です。2年前から使っています。", ["3回目", "2年前"]),
        ("明日の10時に折り返しお電話ください。", ["10時"]),
        ("月額2,980円のプランで、先月は12,000円も払いました。", ["月額2,980円", "12,000円"]),
        ("4月12日に電話しましたが、30分も待たされました。", ["4月12日", "30分"]),
        ("カードの請求が5,500円多かったんです。", ["5,500円"]),
        ("電話するのはこれで4回目です。", ["4回目"]),
        ("契約したのは2021年3月です。", ["2021年3月"]),
        ("お客様のご本人様確認ありがとうございます。", ["お客様", "ご本人様"]),
        ("料金が高いと言いました。", ["料金"]),
    ],
)
def test_figures_and_ordinary_words_survive(text: str, kept: list[str]) -> None:
    out = REDACTOR.redact(text).text
    for word in kept:
        assert word in out, out


YAMADA = PersonName.parse("山田 太郎", "ヤマダ タロウ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("はい、山田太郎です。", "はい、［氏名］です。"),
        ("ヤマダタロウです", "［氏名］です"),
        ("やまだです", "［氏名］です"),
        ("山田 太郎と申します", "［氏名］と申します"),
        ("山だ太郎さんですね", "［氏名］さんですね"),  # Whisper's spelling: same sound
        ("太郎が使っています", "［氏名］が使っています"),
        ("山田様でいらっしゃいますね", "［氏名］様でいらっしゃいますね"),
    ],
)
def test_the_linked_customers_name_by_spelling_and_sound(text: str, expected: str) -> None:
    assert YAMADA is not None
    assert REDACTOR.redact(text, names=[YAMADA]).text == expected


def test_a_crm_name_without_kana_is_read_by_the_dictionary() -> None:
    name = PersonName.parse("佐藤　花子")
    assert name is not None
    out = REDACTOR.redact("サトウハナコです。佐東さんですね。砂糖は使いません", names=[name]).text
    assert out == "［氏名］です。［氏名］さんですね。砂糖は使いません", "a homophone common word stays"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("わたくし、中村健一と申します。", "わたくし、［氏名］と申します。"),
        ("ナカムラケンイチと申します", "［氏名］と申します"),
        ("坂本様でいらっしゃいますね", "［氏名］様でいらっしゃいますね"),
        ("お名前は井上恵子です", "お名前は［氏名］です"),
        ("氏名は、キムラ ユウコです", "氏名は、［氏名］です"),
        ("お名前は、タナカ ハナコさまでよろしいですか", "お名前は、［氏名］さまでよろしいですか"),
        ("名前はにひむらまくとです", "名前は［氏名］です"),  # Whisper's kana for a name it did not know
        # The operator's own name in the greeting is redacted too (see voc.redaction.names).
        (
            "さくらモバイルサポートセンターの田中でございます",
            "さくらモバイルサポートセンターの［氏名］でございます",
        ),
        ("お客様、担当と申します", "お客様、担当と申します"),
        ("お名前と生年月日をお願いします", "お名前と生年月日をお願いします"),
    ],
)
def test_introduced_names_without_a_crm_record(text: str, expected: str) -> None:
    assert REDACTOR.redact(text).text == expected


def test_names_have_their_type_and_can_be_switched_off() -> None:
    assert REDACTOR.redact("坂本様ですね").types == {PiiType.NAME}
    no_names = Redactor(enabled=True, types=set(PiiType) - {PiiType.NAME})
    assert no_names.redact("坂本様ですね").text == "坂本様ですね"
