"""Generate the PII test corpus as the pipeline sees PII: spoken by a TTS, written by Whisper.

Three steps, because the TTS must stay out of the project's venv (see scripts/README.md):

    .venv-tts/bin/python scripts/make_pii_corpus.py render  --audio /tmp/pii-audio   # TTS → 8 kHz WAV
    .venv/bin/python     scripts/make_pii_corpus.py transcribe --audio /tmp/pii-audio  # bundled Whisper
    (writes tests/fixtures/pii/whisper_pii.jsonl; audio is not committed)

Every record is a short exchange (one to three lines, operator and customer) built from varied phrasings
per PII type, with the numbers read out the ways callers read them (digit by digit in kana, grouped by
の / pauses, positional for years and amounts). A record keeps, per line, the written reference text
(``spoken``), what the TTS read (``say``) and what Whisper wrote (``whisper``); the reference spans of
its PII; the ``secrets`` that must not survive redaction (digit strings and name / e-mail forms), the
``keep`` figures that must survive (amounts, prices, call dates, durations, counts), and the CRM name of
the linked customer where the call has one. The sentence generator is seeded: a re-run is identical.
"""

from __future__ import annotations

import argparse
import json
import random
import wave
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fixtures" / "pii" / "whisper_pii.jsonl"
VOICES = ("jf_alpha", "jf_tebukuro", "jf_gongitsune", "jf_nezumi", "jm_kumo")
SEED = 17

# How callers read single digits (variants chosen at random per digit).
DIGIT_SAY: dict[str, tuple[str, ...]] = {
    "0": ("ゼロ", "ゼロ", "マル"), "1": ("イチ",), "2": ("ニー", "ニ"), "3": ("サン",), "4": ("ヨン",),
    "5": ("ゴー", "ゴ"), "6": ("ロク",), "7": ("ナナ",), "8": ("ハチ",), "9": ("キュウ", "キュー"),
}  # fmt: skip
FAMILY = [
    ("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山本", "ヤマモト"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"),
    ("清水", "シミズ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("石川", "イシカワ"), ("前田", "マエダ"),
    ("藤田", "フジタ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("村上", "ムラカミ"),
    ("近藤", "コンドウ"),
    ("坂本", "サカモト"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("西村", "ニシムラ"), ("福田", "フクダ"),
]  # fmt: skip
GIVEN = [
    ("太郎", "タロウ"), ("花子", "ハナコ"), ("健一", "ケンイチ"), ("美咲", "ミサキ"), ("大輔", "ダイスケ"),
    ("直樹", "ナオキ"), ("由美", "ユミ"), ("翔太", "ショウタ"), ("恵子", "ケイコ"), ("誠", "マコト"),
    ("陽子", "ヨウコ"), ("拓也", "タクヤ"), ("明美", "アケミ"), ("浩二", "コウジ"), ("裕子", "ユウコ"),
]  # fmt: skip
EMAIL_LOCALS = [
    ("tanaka", "タナカ"), ("sakura", "サクラ"), ("hiro", "ヒロ"), ("yuki", "ユキ"), ("kenta", "ケンタ"),
    ("momo", "モモ"), ("nori", "ノリ"), ("taro", "タロウ"), ("mika", "ミカ"), ("sora", "ソラ"),
]  # fmt: skip
EMAIL_DOMAINS = [
    (("gmail", "com"), "ジーメール、ドット、コム"),
    (("yahoo", "co", "jp"), "ヤフー、ドット、シーオー、ドット、ジェーピー"),
    (("docomo", "ne", "jp"), "ドコモ、ドット、エヌイー、ドット、ジェーピー"),
    (("icloud", "com"), "アイクラウド、ドット、コム"),
    (("outlook", "jp"), "アウトルック、ドット、ジェーピー"),
    (("ezweb", "ne", "jp"), "イーズィーウェブ、ドット、エヌイー、ドット、ジェーピー"),
]
PLACES = [
    ("東京都", "世田谷区", "桜新町"), ("東京都", "新宿区", "西新宿"), ("大阪府", "大阪市北区", "梅田"),
    ("神奈川県", "横浜市港北区", "日吉"), ("愛知県", "名古屋市中区", "栄"),
    ("福岡県", "福岡市博多区", "博多駅前"), ("北海道", "札幌市中央区", "大通西"),
    ("埼玉県", "さいたま市浦和区", "高砂"), ("千葉県", "船橋市", "本町"), ("京都府", "京都市左京区", "下鴨"),
    ("兵庫県", "神戸市中央区", "三宮町"), ("宮城県", "仙台市青葉区", "一番町"),
]  # fmt: skip
ERAS = [("昭和", 1926), ("平成", 1989)]


@dataclass
class Line:
    speaker: str
    spoken: str = ""
    say: str = ""
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    whisper: str = ""

    def text(self, written: str, say: str | None = None) -> Line:
        self.spoken += written
        self.say += written if say is None else say
        return self

    def pii(self, kind: str, written: str, say: str | None = None) -> Line:
        self.spans.append((len(self.spoken), len(self.spoken) + len(written), kind))
        return self.text(written, say)


@dataclass
class Record:
    id: str
    type: str
    family: str
    lines: list[Line]
    secrets: list[dict[str, Any]]
    keep: list[str] = field(default_factory=list)
    customer_name: dict[str, str] | None = None


def op() -> Line:
    return Line("operator")


def cu() -> Line:
    return Line("customer")


def digits(rng: random.Random, n: int, first: str = "0123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def say_digits(rng: random.Random, number: str) -> str:
    return "".join(rng.choice(DIGIT_SAY[d]) for d in number)


def grouped(rng: random.Random, groups: list[str], written_sep: str = "-") -> tuple[str, str]:
    """The written form (joined by ``written_sep``) and the said form (kana digits, pauses or の)."""
    sep = rng.choice(["、", "の", "、", " "])
    return written_sep.join(groups), sep.join(say_digits(rng, g) for g in groups)


def luhn_fix(body: str) -> str:
    for check in "0123456789":
        candidate = body + check
        total = sum(
            (d * 2 - 9 if d > 4 else d * 2) if i % 2 else d
            for i, d in enumerate(int(c) for c in reversed(candidate))
        )
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def keep_figure(rng: random.Random) -> tuple[str, str, str]:
    """A figure that must survive: (written, how it is said, the clause it is said in)."""
    kind = rng.choice(["price", "count", "ago", "time", "duration", "date", "gb", "amount"])
    if kind == "price":
        fee = rng.choice([980, 1480, 2980, 3300, 4980, 6578, 7700, 9800])
        return (
            f"月額{fee:,}円",
            f"月額{fee}円",
            rng.choice(["今のプランは{}です。", "{}のプランに入っています。"]),
        )
    if kind == "count":
        n = rng.randint(2, 5)
        return (
            f"{n}回目",
            f"{n}回目",
            rng.choice(["問い合わせは今回で{}です。", "お電話するのは{}なんですが、"]),
        )
    if kind == "ago":
        n = rng.randint(2, 9)
        unit = rng.choice(["年前", "か月前", "日前"])
        return f"{n}{unit}", f"{n}{unit}", rng.choice(["{}から使っています。", "{}に契約しました。"])
    if kind == "time":
        h = rng.choice([9, 10, 11, 13, 14, 15, 16, 17])
        return f"{h}時", f"{h}時", rng.choice(["{}ごろにまた電話します。", "明日の{}以降なら出られます。"])
    if kind == "duration":
        n = rng.choice([15, 20, 30, 40])
        return f"{n}分", f"{n}分", rng.choice(["もう{}も待っています。", "{}ほどかかりました。"])
    if kind == "date":
        m, d = rng.randint(1, 12), rng.randint(1, 28)
        return (
            f"{m}月{d}日",
            f"{m}月{d}日",
            rng.choice(["{}に請求が来ました。", "{}に解約の手続きをしました。"]),
        )
    if kind == "gb":
        n = rng.choice([3, 5, 10, 20, 30])
        return f"{n}ギガ", f"{n}ギガ", "毎月{}くらい使います。"
    n = rng.choice([3000, 5000, 12000, 15000, 20000])
    return f"{n:,}円", f"{n}円", rng.choice(["{}の返金をお願いしたいです。", "先月は{}も払いました。"])


def keep_clause(rng: random.Random, line: Line, keep: list[str]) -> None:
    written, said, template = keep_figure(rng)
    keep.append(written)
    head, tail = template.split("{}")
    line.text(head).text(written, said).text(tail)


# ------------------------------------------------------------------------------------------- generators
Gen = Callable[[random.Random, str], Record]


def phone(rng: random.Random, rid: str) -> Record:
    kind = rng.choice(["mobile", "mobile", "landline", "landline"])
    if kind == "mobile":
        groups = [rng.choice(["090", "080", "070"]), digits(rng, 4), digits(rng, 4)]
    else:
        groups = ["0" + rng.choice("3456") if rng.random() < 0.5 else "0" + digits(rng, 3, "123456789")]
        groups += [digits(rng, 4 if len(groups[0]) == 2 else 2), digits(rng, 4)]
    number = "".join(groups)
    written, said = grouped(rng, groups)
    family = rng.choice(["cue-same", "question", "callback", "split"])
    keep: list[str] = []
    if family == "cue-same":
        c = cu()
        if rng.random() < 0.4:
            keep_clause(rng, c, keep)
        head = rng.choice(["電話番号は", "携帯の番号は、", "連絡先は", "自宅の電話は"])
        c.text(head).pii("phone", written, said).text(
            rng.choice(["です。", "になります。", "でお願いします。"])
        )
        lines = [c]
    elif family == "question":
        o = op().text(
            rng.choice(["ご連絡先のお電話番号を教えていただけますか。", "お電話番号をお願いいたします。"])
        )
        c = cu().text(rng.choice(["はい、", "えっと、", ""])).pii("phone", written, said).text("です。")
        lines = [o, c]
    elif family == "callback":
        c = cu().text("折り返しは").pii("phone", written, said).text("にお願いします。")
        keep_clause(rng, c, keep)
        lines = [c]
    else:
        o = op().text("お電話番号をお願いします。")
        a, b = grouped(rng, groups[:2])
        c1 = cu().pii("phone", a, b).text("の、")
        c2 = cu().pii("phone", groups[2], say_digits(rng, groups[2])).text("です。")
        lines = [o, c1, c2]
    return Record(rid, "phone", family, lines, [{"type": "phone", "digits": number}], keep)


def card(rng: random.Random, rid: str) -> Record:
    body = rng.choice("345") + digits(rng, 14)
    number = luhn_fix(body)
    if rng.random() < 0.35:  # a misread digit: the checksum fails, the cue is still there
        i = rng.randrange(1, 15)
        number = number[:i] + str((int(number[i]) + rng.randint(1, 9)) % 10) + number[i + 1 :]
    groups = [number[i : i + 4] for i in range(0, 16, 4)]
    written, said = grouped(rng, groups, " ")
    family = rng.choice(["cue-same", "question", "chunked"])
    keep: list[str] = []
    if family == "cue-same":
        c = cu()
        if rng.random() < 0.5:
            keep_clause(rng, c, keep)
        c.text(rng.choice(["クレジットカードの番号は", "カード番号は、", "カードナンバーは"]))
        c.pii("card", written, said).text("です。")
        lines = [c]
    elif family == "question":
        o = op().text(
            rng.choice(["お支払いのクレジットカード番号をお願いします。", "カード番号をお伺いできますか。"])
        )
        c = cu().text(rng.choice(["はい、", "えっと、", ""])).pii("card", written, said).text("です。")
        lines = [o, c]
    else:
        o = op().text("クレジットカードの番号を、4桁ずつお願いします。")
        a, b = grouped(rng, groups[:2], " ")
        c1 = cu().pii("card", a, b).text("、")
        a2, b2 = grouped(rng, groups[2:], " ")
        c2 = cu().pii("card", a2, b2).text("です。")
        lines = [o, c1, c2]
    return Record(rid, "card", family, lines, [{"type": "card", "digits": number}], keep)


def security_code(rng: random.Random, rid: str) -> Record:
    code = digits(rng, rng.choice([3, 3, 4]), "123456789")
    said = say_digits(rng, code)
    family = rng.choice(["question", "cue-same"])
    if family == "question":
        o = op().text(
            rng.choice(
                [
                    "カード裏面のセキュリティコード、3桁の数字をお願いします。",
                    "セキュリティコードを教えてください。",
                ]
            )
        )
        c = cu().text(rng.choice(["", "はい、", "えっと、"])).pii("security_code", code, said).text("です。")
        lines = [o, c]
    else:
        lines = [cu().text("セキュリティコードは").pii("security_code", code, said).text("です。")]
    return Record(rid, "security_code", family, lines, [{"type": "security_code", "digits": code}])


def email(rng: random.Random, rid: str) -> Record:
    local, local_say = rng.choice(EMAIL_LOCALS)
    number = digits(rng, rng.choice([2, 3, 4]), "123456789")
    (labels, domain_say) = rng.choice(EMAIL_DOMAINS)
    written = f"{local}{number}@{'.'.join(labels)}"
    said = f"{local_say}{say_digits(rng, number)}、アットマーク、{domain_say}"
    family = rng.choice(["cue-same", "question"])
    if family == "cue-same":
        lines = [cu().text("メールアドレスは、").pii("email", written, said).text("です。")]
    else:
        o = op().text("ご登録のメールアドレスをお願いします。")
        lines = [o, cu().text(rng.choice(["はい、", ""])).pii("email", written, said).text("です。")]
    secrets = [{"type": "email", "forms": [local, local_say]}, {"type": "email", "digits": number}]
    return Record(rid, "email", family, lines, secrets)


def address(rng: random.Random, rid: str) -> Record:
    pref, city, town = rng.choice(PLACES)
    chome, ban, go = rng.randint(1, 5), rng.randint(1, 30), rng.randint(1, 20)
    family = rng.choice(["units", "comma", "hyphen"])
    if family == "units":
        body = f"{pref}{city}{town}{chome}丁目{ban}番{go}号"
        say = body
    elif family == "comma":
        body = f"{pref}、{city}、{town}、{chome}丁目、{ban}番地、{go}号"
        say = body
    else:
        body = f"{pref}{city}{town}{chome}-{ban}-{go}"
        say = f"{pref}{city}{town}、{chome}の{ban}の{go}"
    lines = [
        cu().text(rng.choice(["住所は", "住まいは", "送り先は"])).pii("address", body, say).text("です。")
    ]
    secrets = [{"type": "address", "digits": f"{chome}{ban}{go}"}, {"type": "address", "forms": [town]}]
    return Record(rid, "address", family, lines, secrets)


def postal(rng: random.Random, rid: str) -> Record:
    code = digits(rng, 7, "123456789")
    written, said = grouped(rng, [code[:3], code[3:]])
    lines = [
        cu().text(rng.choice(["郵便番号は", "郵便番号が"])).pii("postal_code", written, said).text("です。")
    ]
    return Record(rid, "postal_code", "cue-same", lines, [{"type": "postal_code", "digits": code}])


def birth_date(rng: random.Random, rid: str) -> Record:
    year, month, day = rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28)
    family = rng.choice(["western", "western-comma", "era", "question", "born", "birthday"])
    if family == "era":
        era, base = ERAS[0] if year < 1989 else ERAS[1]
        written = f"{era}{year - base + 1}年{month}月{day}日"
    elif family == "western-comma":
        written = f"{year}年、{month}月{day}日"
    elif family == "birthday":
        written = f"{month}月{day}日"
    else:
        written = f"{year}年{month}月{day}日"
    keep: list[str] = []
    if family == "question":
        o = op().text(
            rng.choice(["ご本人確認のため、生年月日をお願いします。", "生年月日を教えていただけますか。"])
        )
        lines = [
            o,
            cu().text(rng.choice(["はい、", "えっと、", ""])).pii("birth_date", written).text("です。"),
        ]
    elif family == "born":
        c = cu().pii("birth_date", written).text("生まれです。")
        lines = [c]
    elif family == "birthday":
        c = cu()
        keep_clause(rng, c, keep)
        lines = [c.text("誕生日は").pii("birth_date", written).text("です。")]
    else:
        c = cu().text(rng.choice(["生年月日は、", "生年月日は"])).pii("birth_date", written).text("です。")
        lines = [c]
    secrets = [{"type": "birth_date", "date": [year if family != "birthday" else None, month, day]}]
    return Record(rid, "birth_date", family, lines, secrets, keep)


def my_number(rng: random.Random, rid: str) -> Record:
    number = digits(rng, 12, "123456789")
    groups = [number[:4], number[4:8], number[8:]]
    written, said = grouped(rng, groups, " ")
    lines = [
        cu().text(rng.choice(["マイナンバーは", "個人番号は"])).pii("my_number", written, said).text("です。")
    ]
    return Record(rid, "my_number", "cue-same", lines, [{"type": "my_number", "digits": number}])


def bank_account(rng: random.Random, rid: str) -> Record:
    number = digits(rng, 7, "123456789")
    said = say_digits(rng, number)
    family = rng.choice(["cue-same", "question"])
    if family == "cue-same":
        lines = [cu().text("口座番号は、普通の").pii("bank_account", number, said).text("です。")]
    else:
        o = op().text("引き落とし口座の口座番号をお願いします。")
        lines = [o, cu().pii("bank_account", number, said).text("です。")]
    return Record(rid, "bank_account", family, lines, [{"type": "bank_account", "digits": number}])


def name(rng: random.Random, rid: str) -> Record:
    (fam, fam_kana), (giv, giv_kana) = rng.choice(FAMILY), rng.choice(GIVEN)
    family = rng.choice(["crm-full", "crm-family", "intro", "sama", "name-is", "operator-greeting"])
    crm = {"name": f"{fam} {giv}", "kana": f"{fam_kana} {giv_kana}"}
    secrets: list[dict[str, Any]] = [{"type": "name", "forms": [fam, fam_kana]}]
    if family == "crm-full":
        lines = [cu().text("はい、").pii("name", fam + giv, fam_kana + giv_kana).text("です。")]
        secrets.append({"type": "name", "forms": [giv, giv_kana]})
    elif family == "crm-family":
        o = op().text("ご契約者様のお名前をお願いします。")
        lines = [o, cu().text(rng.choice(["", "はい、"])).pii("name", fam, fam_kana).text("です。")]
    elif family == "intro":
        lines = [cu().text("わたくし、").pii("name", fam + giv, fam_kana + giv_kana).text("と申します。")]
        secrets.append({"type": "name", "forms": [giv, giv_kana]})
        crm = None  # type: ignore[assignment]
    elif family == "sama":
        o = op().pii("name", fam, fam_kana).text("様でいらっしゃいますね。ご本人様確認ありがとうございます。")
        lines = [o]
        crm = None  # type: ignore[assignment]
    elif family == "name-is":
        lines = [cu().text("名前は").pii("name", fam + giv, fam_kana + giv_kana).text("です。")]
        secrets.append({"type": "name", "forms": [giv, giv_kana]})
    else:
        o = op().text("お電話ありがとうございます。さくらモバイルサポートセンターの")
        o.pii("name", fam, fam_kana).text("でございます。")
        lines = [o]
        crm = None  # type: ignore[assignment]
    keep: list[str] = []
    if rng.random() < 0.4:
        c = cu()
        keep_clause(rng, c, keep)
        lines.append(c)
    return Record(rid, "name", family, lines, secrets, keep, crm)


def figures(rng: random.Random, rid: str) -> Record:
    """No PII: figures next to the cue words of PII (電話, カード, 生まれ…) must survive."""
    keep: list[str] = []
    family = rng.choice(["card-amount", "call-again", "callback-time", "contract-date", "plain"])
    c = cu()
    if family == "card-amount":
        amount = rng.choice([3980, 5500, 12800, 2200])
        keep.append(f"{amount:,}円")
        c.text(
            f"カードの請求が先月より{amount:,}円多かったんです。",
            f"カードの請求が先月より{amount}円多かったんです。",
        )
    elif family == "call-again":
        n = rng.randint(2, 5)
        keep.append(f"{n}回目")
        c.text(f"電話するのはこれで{n}回目です。")
    elif family == "callback-time":
        h = rng.choice([10, 11, 14, 15, 16])
        keep.append(f"{h}時")
        c.text(f"明日の{h}時ごろに折り返しお電話いただけますか。")
    elif family == "contract-date":
        y, m = rng.randint(2019, 2025), rng.randint(1, 12)
        keep.append(f"{y}年{m}月")
        c.text(f"契約したのは{y}年{m}月です。")
    else:
        pass
    keep_clause(rng, c, keep)
    return Record(rid, "none", family, [c], [], keep)


GENERATORS: dict[str, tuple[Gen, int]] = {
    "phone": (phone, 24),
    "card": (card, 24),
    "security_code": (security_code, 12),
    "email": (email, 16),
    "address": (address, 18),
    "postal_code": (postal, 8),
    "birth_date": (birth_date, 20),
    "my_number": (my_number, 8),
    "bank_account": (bank_account, 8),
    "name": (name, 26),
    "none": (figures, 18),
}


def records() -> list[Record]:
    rng = random.Random(SEED)
    out: list[Record] = []
    for kind, (gen, n) in GENERATORS.items():
        for i in range(n):
            out.append(gen(rng, f"{kind}-{i:03d}"))
    return out


def voice_for(record_index: int, line_index: int, speaker: str) -> str:
    base = record_index * 2 + (0 if speaker == "operator" else 1)
    return VOICES[base % len(VOICES)] if line_index >= 0 else VOICES[0]


# ------------------------------------------------------------------------------------------- steps


def render(audio_dir: Path, reverse: bool = False) -> None:
    """TTS every line to an 8 kHz telephone-band WAV (run with .venv-tts); ``reverse``: last first, so
    that a second process can share the work."""
    import numpy as np
    from make_examples import CALL_RATE, to_pcm16, utterance  # type: ignore[import-not-found]

    audio_dir.mkdir(parents=True, exist_ok=True)
    todo = [(ri, li, r, ln) for ri, r in enumerate(records()) for li, ln in enumerate(r.lines)]
    for ri, li, record, line in reversed(todo) if reverse else todo:
        path = audio_dir / f"{record.id}-{li}.wav"
        if not path.exists():
            pcm = to_pcm16(np.asarray(utterance(line.say, voice_for(ri, li, line.speaker), 0.09, CALL_RATE)))
            partial = path.with_suffix(".part")
            with wave.open(str(partial), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(CALL_RATE)
                w.writeframes(pcm.tobytes())
            partial.rename(path)  # whole files only: the transcribe step may be reading the folder


def transcribe(audio_dir: Path, model_dir: Path, out: Path, wait_s: float = 0.0) -> None:
    """Transcribe every line with the bundled Whisper as the pipeline does (run with .venv).

    Each line's text is kept beside its WAV (``.txt``), so an interrupted run resumes; ``wait_s`` > 0
    waits for WAVs that the render step is still writing.
    """
    import time

    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(
        str(model_dir), device="cpu", compute_type="int8", cpu_threads=1, local_files_only=True
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for ri, record in enumerate(records()):
        for li, line in enumerate(record.lines):
            wav = audio_dir / f"{record.id}-{li}.wav"
            txt = wav.with_suffix(".txt")
            if not txt.exists():
                deadline = time.monotonic() + wait_s
                while not wav.exists() and time.monotonic() < deadline:
                    time.sleep(2.0)
                time.sleep(0.5 if wait_s else 0.0)  # let the writer finish the file
                segments, _ = model.transcribe(
                    decode_audio(str(wav)), language="ja", beam_size=5, condition_on_previous_text=False
                )
                txt.write_text("".join(s.text for s in segments).strip(), encoding="utf-8")
            line.whisper = txt.read_text(encoding="utf-8")
        row = asdict(record)
        row["voices"] = [voice_for(ri, li, line.speaker) for li, line in enumerate(record.lines)]
        rows.append(row)
    with out.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=["render", "transcribe", "list"])
    parser.add_argument("--audio", type=Path, default=Path("/tmp/voc-pii-audio"))
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "whisper-base")
    parser.add_argument("--out", type=Path, default=CORPUS)
    parser.add_argument("--reverse", action="store_true", help="render the last lines first")
    parser.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for a WAV still being rendered"
    )
    args = parser.parse_args()
    if args.step == "render":
        render(args.audio, args.reverse)
    elif args.step == "transcribe":
        transcribe(args.audio, args.model, args.out, args.wait)
    else:
        for record in records():
            for line in record.lines:
                print(record.id, line.speaker, line.spoken, "|", line.say)


if __name__ == "__main__":
    main()
