"""Every PII type, in every form a caller says it, becomes its placeholder; other numbers stay."""

from __future__ import annotations

import pytest

from voc.redaction import PiiType, redact

PHONE = "［電話番号］"
CARD = "［カード番号］"
CODE = "［セキュリティコード］"
EMAIL = "［メールアドレス］"
POSTAL = "［郵便番号］"
ADDRESS = "［住所］"
DOB = "［生年月日］"
MY_NUMBER = "［個人番号］"
ACCOUNT = "［口座番号］"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("お電話番号は090-1234-5678です", f"お電話番号は{PHONE}です"),
        ("携帯は〇九〇の一二三四の五六七八です", f"携帯は{PHONE}です"),
        ("ゼロキューゼロ、イチニーサンヨン、ゴーロクナナハチです", f"{PHONE}です"),
        ("０８０－１２３４－５６７８にお願いします", f"{PHONE}にお願いします"),
        ("ご自宅は03 1234 5678です", f"ご自宅は{PHONE}です"),
        ("06の6123の4567ですね", f"{PHONE}ですね"),
        ("0120-123-456にお電話ください", f"{PHONE}にお電話ください"),
        ("フリーダイヤル0800-123-4567まで", f"フリーダイヤル{PHONE}まで"),
        ("+81 90 1234 5678 におかけください", f"{PHONE} におかけください"),
        ("＋８１－３－１２３４－５６７８", PHONE),
        ("〇九〇の千二百三十四の五千六百七十八です", f"{PHONE}です"),
        ("電話番号は09012345678です", f"電話番号は{PHONE}です"),
        ("ぜろきゅうぜろ、いちにさんよん、ごろくななはちです", f"{PHONE}です"),
        ("山田さん、090-1234-5678です", f"［氏名］さん、{PHONE}です"),
        ("はい、折り返しは090 1234 567でお願いします", f"はい、折り返しは{PHONE}でお願いします"),
    ],
)
def test_phone_numbers(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("カード番号は4111111111111111です", f"カード番号は{CARD}です"),
        ("4111 1111 1111 1111でお願いします", f"{CARD}でお願いします"),
        ("番号は4111-1111-1111-1111です", f"番号は{CARD}です"),
        ("えっと、4111の1111の1111の1111です", f"えっと、{CARD}です"),
        ("４１１１　１１１１　１１１１　１１１１", CARD),
        ("四一一一の一一一一の一一一一の一一一一です", f"{CARD}です"),
        ("四千百十一、千百十一、千百十一、千百十一です", f"{CARD}です"),
        ("ヨンイチイチイチ、イチイチイチイチ、イチイチイチイチ、イチイチイチイチ", CARD),
        ("アメックスで378282246310005です", f"アメックスで{CARD}です"),
        ("5555 5555 5555 4444", CARD),
    ],
)
def test_card_numbers(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_luhn_decides_a_card_number_without_a_card_cue() -> None:
    # 16 digits failing Luhn in a billing context is a reference number the business needs.
    assert redact("ご請求番号は1234567812345678です").text == "ご請求番号は1234567812345678です"
    assert redact("ご請求番号は4111111111111111です").text == f"ご請求番号は{CARD}です"


def test_after_a_card_cue_a_number_failing_luhn_is_still_redacted() -> None:
    # ASR mishears a digit of a real card: the other fifteen are still card data.
    assert redact("カード番号は4111 1111 1111 1112です").text == f"カード番号は{CARD}です"
    assert (
        redact("クレジットカードの番号は4111 1111 1111 111です").text == f"クレジットカードの番号は{CARD}です"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("セキュリティコードは123です", f"セキュリティコードは{CODE}です"),
        ("セキュリティーコードは１２３です", f"セキュリティーコードは{CODE}です"),
        ("CVVは一二三です", f"CVVは{CODE}です"),
        ("CVCは百二十三です", f"CVCは{CODE}です"),
        ("カード裏面の番号は1234です", f"カード裏面の番号は{CODE}です"),
        ("裏の3桁は、4 5 6です", f"裏の3桁は、{CODE}です"),
        ("暗証番号は4321です", f"暗証番号は{CODE}です"),
        ("ゴーロクナナがセキュリティコードです", f"{CODE}がセキュリティコードです"),
        ("セキュリティコードは、えっと、いちにさんです", f"セキュリティコードは、えっと、{CODE}です"),
        ("CVV2は123です", f"CVV2は{CODE}です"),
    ],
)
def test_security_codes_in_context(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_short_number_without_a_security_cue_stays() -> None:
    assert redact("123番の窓口でお待ちください").text == "123番の窓口でお待ちください"
    assert redact("コードは123です").text == "コードは123です"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("メールはyamada@example.com です", f"メールは{EMAIL} です"),
        ("taro.yamada_01@mail.example.co.jp に送ってください", f"{EMAIL} に送ってください"),
        ("ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍです", f"{EMAIL}です"),
        ("yamada アットマーク example ドット com です", f"{EMAIL} です"),
        ("taro ドット yamada アットマーク gmail ドット com", EMAIL),
        ("ヤマダアットマークジーメールドットコムです", f"{EMAIL}です"),
    ],
)
def test_email_addresses(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("〒123-4567", f"〒{POSTAL}"),
        ("郵便番号は1234567です", f"郵便番号は{POSTAL}です"),
        ("郵便番号は一二三の四五六七です", f"郵便番号は{POSTAL}です"),
        ("郵便番号は、123ハイフン4567", f"郵便番号は、{POSTAL}"),
    ],
)
def test_postal_codes(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_postal_code_right_before_an_address_without_a_cue() -> None:
    assert redact("105-0011 東京都港区芝公園4-2-8").text == f"{POSTAL} {ADDRESS}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("住所は東京都港区芝公園四丁目2番8号です", f"住所は{ADDRESS}です"),
        ("東京都港区芝公園4-2-8に住んでいます", f"{ADDRESS}に住んでいます"),
        ("大阪府大阪市北区梅田1丁目2-3です", f"{ADDRESS}です"),
        ("港区芝公園4の2の8です", f"{ADDRESS}です"),
        ("北海道札幌市中央区北1条西2丁目1番地です", f"{ADDRESS}です"),
        ("神奈川県横浜市中区山下町123番地の5", ADDRESS),
        ("東京都千代田区千代田一番一号", ADDRESS),
        ("東京都新宿区西新宿二丁目8番1号、301号室", ADDRESS),  # the room after a comma is the address too
        # as Whisper writes it: commas between the parts, an unknown town name in katakana
        ("住所は、東京都セタガヤクサクラシンマチ、一丁目二番参考です。", f"住所は、{ADDRESS}参考です。"),
        ("東京都、世田谷区、桜新町 1丁目2番3号です", f"{ADDRESS}です"),
    ],
)
def test_street_addresses(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "東京都に住んでいます",
        "大阪市内の店舗で3回購入しました",
        "港区の店舗は10時開店です",
        "この地区の2-3件は対象外です",
    ],
)
def test_places_without_a_block_number_stay(text: str) -> None:
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("生年月日は昭和55年3月12日です", f"生年月日は{DOB}です"),
        ("生年月日は1980年3月12日です", f"生年月日は{DOB}です"),
        ("生年月日は1980/3/12です", f"生年月日は{DOB}です"),
        ("生年月日はS55.3.12です", f"生年月日は{DOB}です"),
        ("誕生日は昭和五十五年三月十二日です", f"誕生日は{DOB}です"),
        ("お生まれは平成元年の1月8日です", f"お生まれは{DOB}です"),
        ("1980年3月12日生まれです", f"{DOB}生まれです"),
        ("昭和55年生まれです", f"{DOB}生まれです"),
        ("一九八〇年三月十二日生まれです", f"{DOB}生まれです"),
        ("生年月日は19800312です", f"生年月日は{DOB}です"),
        ("生年月日は1980 3 12です", f"生年月日は{DOB}です"),
        ("生年月日は一九八〇の〇三の一二です", f"生年月日は{DOB}です"),
    ],
)
def test_birth_dates(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_date_without_a_birth_cue_stays() -> None:
    text = "ご契約日は2023年4月1日で、次回の請求は5月1日です"
    assert redact(text).text == text


@pytest.mark.parametrize(
    "text",
    [
        "月額9800円のプランです",
        "九千八百円になります",
        "3,980円のプランに変更します",
        "2年契約で、5GBまで使えます",
        "20パーセント割引です",
        "10時30分にお電話します",
        "3回お電話しました",
        "今月は12,800円のご請求です",
        "1万2千円の割引です",
        "2024年4月からの新料金です",
        "一度確認してから折り返します",
        "三井住友カードのゴールドです",
        "100GBで月額七千九百八十円",
    ],
)
def test_prices_quantities_and_ordinary_numbers_stay(text: str) -> None:
    assert redact(text).text == text


def test_only_the_enabled_types_are_redacted() -> None:
    text = "090-1234-5678、yamada@example.com"
    assert redact(text, enabled_types={PiiType.EMAIL}).text == "090-1234-5678、［メールアドレス］"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("マイナンバーは1234の5678の9012です", f"マイナンバーは{MY_NUMBER}です"),
        (
            "個人番号は、いちにさんよん、ごーろくななはち、きゅーぜろいちにです",
            f"個人番号は、{MY_NUMBER}です",
        ),
        # no cue, but the check digit of a real My Number (総務省令 第5条)
        ("番号は123456789018です", f"番号は{MY_NUMBER}です"),
    ],
)
def test_my_numbers(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("口座番号は1234567です", f"口座番号は{ACCOUNT}です"),
        ("引き落とし口座は普通の、7654321です", f"引き落とし口座は普通の、{ACCOUNT}です"),
        ("ゆうちょの記号番号は12345の12345678です", f"ゆうちょの記号番号は{ACCOUNT}の{ACCOUNT}です"),
    ],
)
def test_bank_accounts(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "注文番号は123456789012です",  # 12 digits, wrong check digit, no cue
        "お客様番号は1234567です",  # 7 digits without an account cue
        "口座の残高は1234567円です",  # an amount
    ],
)
def test_reference_numbers_and_amounts_stay(text: str) -> None:
    assert redact(text).text == text
