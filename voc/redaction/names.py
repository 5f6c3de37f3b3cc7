"""Personal names: the linked customer's name from the CRM, and names said after an introduction cue.

* **CRM names** (:class:`PersonName`): the family name, the given name and both together are found by
  spelling (山田, 山田太郎) and by sound — the kana reading from the CRM, or the NLP dictionary's
  reading of the kanji — so ヤマダ, やまだ and a homophone Whisper chose (山多) are redacted too. A
  match must begin and end on word boundaries (イトウ is not found inside 意図), and readings that
  reduce to two sounds or fewer must match exactly.
* **Introduced names** (no CRM needed): the words before と申します / といいます, a person name
  (the dictionary's 人名) before 様 / さま / さん / でございます / です, a proper noun or an unknown
  word before 様, and the words after 名前は / 氏名は / 名義は.

The operator's own name in the greeting (「サポートセンターの田中でございます」) is redacted like any
other: on a mono recording the speaker roles are inferred and can be wrong, so keeping "the operator's"
name would keep a customer's whenever they are; who took the call is in the call's ``agent`` field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voc.redaction.pii import Detection, PiiType
from voc.redaction.reading import Reader, allowed_edits, phonetic_key, to_katakana

_SPLIT_RE = re.compile(r"[ \u3000・,，]+")
_HUMBLE_INTRO_RE = re.compile(r"\s*と\s*(?:申し|もうし)")
_INTRO_AFTER_RE = re.compile(r"\s*(?:と|って)\s*(?:申し|もうし|言い|いい|いう|言う)")
_TITLE_AFTER_RE = re.compile(r"\s*(?:様|さま|サマ|さん|サン|殿|でございます|です)")
_SAMA_AFTER_RE = re.compile(r"\s*(?:様|さま)(?!々|ざま)")
# 〜センターの田中でございます: a name introduced after the organisation, whatever its part of speech.
_ORG_INTRO_RE = re.compile(
    r"(?:センター|窓口|デスク|担当|係|部|課|事務局|サポート|会社|社)の\s*"
    r"([^\s、。,，!?！？\n\u2029ぁ-ゖ][^\s、。,，!?！？\n\u2029]{0,7}?)\s*(?:でございます|と申します|です)"
)
_NAME_CUE_RE = re.compile(r"(?:お?名前|氏名|名義|フルネーム)(?:の方)?\s*(?:は|が|:|：)[\s、,]*")
# Nouns that stand before 様 / と申します without being names (お客様, 担当と申します).
_NOT_NAMES = frozenset(
    (
        "客", "お客", "皆", "みな", "奥", "奥さん", "旦那", "ご主人", "主人", "本人", "ご本人", "神", "王",
        "担当", "担当者", "者", "係", "係員", "私", "わたくし", "僕", "俺", "自分", "こちら", "そちら",
        "弊社", "当社", "御社", "会社", "センター", "窓口", "オペレーター", "以上", "承知", "さよう", "左様",
        "そう", "子", "お子", "子供", "息子", "娘", "家族", "ご家族", "疲れ", "苦労", "世話", "馳走",
        "おかげ", "お陰", "得意", "利用", "契約", "加入", "ご利用", "皆さん", "方", "人", "もの",
    )
)  # fmt: skip
_MAX_NAME_MORPHS = 4
_KANA_NAME_RE = re.compile(
    r"((?:(?!さま|さん|様)[ぁ-ゖァ-ヺー・ 　]){4,16}?)\s*(?:様|さま|さん)?"
    r"\s*(?:です|と申します|と言います|でございます)"
)
# わたくし、X と申します: whatever Whisper made of the name X (端もということを申します) is the name.
_SELF_INTRO_RE = re.compile(
    r"(?:わたくし|ワタクシ|私|わたし)(?:は|、|,|，|\s)+([^。、,，!?！？\n\u2029]{1,15}?)\s*(?:と|を|って)?\s*(?:申し|もうし)ます"
)


@dataclass(frozen=True, slots=True)
class PersonName:
    """A person's name as the CRM holds it, with its kana reading where known."""

    family: str
    given: str | None = None
    family_kana: str | None = None
    given_kana: str | None = None

    @classmethod
    def parse(cls, name: str, kana: str | None = None) -> PersonName | None:
        """``"山田 太郎"`` (+ ``"ヤマダ タロウ"``); a name without a space is one family-name form."""
        parts = [p for p in _SPLIT_RE.split(unicodedata.normalize("NFKC", name).strip()) if p]
        if not parts:
            return None
        kanas = [
            to_katakana(p) for p in _SPLIT_RE.split(unicodedata.normalize("NFKC", kana or "").strip()) if p
        ]
        family, given = parts[0], " ".join(parts[1:]) or None
        family_kana = kanas[0] if kanas else None
        given_kana = "".join(kanas[1:]) or None if len(kanas) > 1 else None
        return cls(family, given, family_kana, given_kana)

    def spellings(self) -> list[str]:
        forms = [self.family]
        if self.given:
            forms += [self.given, self.family + self.given, f"{self.family} {self.given}"]
        return [f for f in forms if f]

    def readings(self, reader: Reader) -> list[str]:
        family = self.family_kana or _read(reader, self.family)
        given = self.given_kana or (_read(reader, self.given) if self.given else None)
        forms = [family, given, (family or "") + (given or "") if family and given else None]
        return [f for f in forms if f]


def _read(reader: Reader, text: str) -> str:
    return to_katakana(reader.read(text).kana)


def _plain(kana: str) -> str:
    return to_katakana(kana).replace("ー", "")


def _boundaries(morphs: Sequence[tuple[int, int, str, str, str]]) -> tuple[set[int], set[int]]:
    return {m[0] for m in morphs}, {m[1] for m in morphs}


def find_crm_names(text: str, names: Sequence[PersonName], reader: Reader) -> list[Detection]:
    """Spans of ``text`` that spell or sound like one of ``names``, on word boundaries."""
    if not names or not text:
        return []
    morphs = reader.morphemes(text)
    starts, ends = _boundaries(morphs)
    found: list[Detection] = []
    norm = unicodedata.normalize("NFKC", text)
    aligned = len(norm) == len(text)
    haystack = norm if aligned else text
    for name in names:
        for form in name.spellings():
            pos = haystack.find(form)
            while pos >= 0:
                end = pos + len(form)
                if pos in starts and end in ends:
                    found.append(Detection(PiiType.NAME, pos, end))
                pos = haystack.find(form, pos + 1)
    # By sound, morpheme by morpheme: a run of whole morphemes whose reading is a name's reading.
    readings = [(_plain(r), phonetic_key(_plain(r))[0]) for n in names for r in n.readings(reader)]
    readings = [(plain, key) for plain, key in readings if plain]
    # The full name (family + given) is long enough to be recognised with an edit or two: Whisper's
    # 大きな置き for アオキナオキ.
    full = [phonetic_key(_plain(n.readings(reader)[-1]))[0] for n in names if n.given and n.readings(reader)]
    for i in range(len(morphs)):
        said = ""
        for j in range(i, min(len(morphs), i + _MAX_NAME_MORPHS)):
            if morphs[j][3] in ("補助記号", "記号", "空白"):
                break
            said += _plain(morphs[j][2])
            key = phonetic_key(said)[0]
            hit = any(
                said == plain or (len(name_key) > 2 and key == name_key) for plain, name_key in readings
            )
            # An approximate full name neither starts nor ends with a particle (山田 太郎と ≠ 山田 太郎).
            edges = {morphs[i][3], morphs[j][3]}
            hit = hit or (
                not edges & {"助詞", "助動詞"}
                and any(len(k) >= 5 and _distance(key, k) <= allowed_edits(k) for k in full)
            )
            if hit and _name_like(text, morphs[i : j + 1]):
                found.append(Detection(PiiType.NAME, morphs[i][0], morphs[j][1]))
    return found


def _distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _name_like(text: str, span: Sequence[tuple[int, int, str, str, str]]) -> bool:
    """Whether words that sound like a name are written as one: in kana (as Whisper spells what it
    did not recognise), as a proper noun, or before a title (様, さん). 砂糖 sounds like 佐藤 and is not."""
    surface = text[span[0][0] : span[-1][1]]
    if all("\u3041" <= c <= "\u30fa" or c in "ー 　" for c in surface):
        return True
    if any(m[4].startswith("固有名詞") for m in span):
        return True
    return _TITLE_AFTER_RE.match(text, span[-1][1]) is not None


def _is_person(morph: tuple[int, int, str, str, str]) -> bool:
    return morph[3] == "名詞" and morph[4].startswith("固有名詞,人名")


def _is_name_word(morph: tuple[int, int, str, str, str], surface: str) -> bool:
    """A word that may be (part of) a name: a noun other than a pronoun, number or listed common word."""
    if surface in _NOT_NAMES or morph[3] not in ("名詞", "接頭辞") or morph[4].startswith("数詞"):
        return False
    return not morph[4].startswith(("代名詞", "普通名詞,副詞可能", "普通名詞,助数詞"))


def find_introduced_names(text: str, reader: Reader) -> list[Detection]:
    """Names said after a self-introduction or title cue, without a CRM record."""
    morphs = reader.morphemes(text)
    found: list[Detection] = []
    for i, m in enumerate(morphs):
        after = text[m[1] :]
        surface = text[m[0] : m[1]]
        if (
            (_is_person(m) and _TITLE_AFTER_RE.match(after))
            or (
                _is_name_word(m, surface)
                and (
                    _HUMBLE_INTRO_RE.match(after)
                    or (
                        _INTRO_AFTER_RE.match(after)
                        and (m[4].startswith("固有名詞") or _is_katakana_word(surface))
                    )
                )
            )
            or (_SAMA_AFTER_RE.match(after) and _is_name_word(m, surface))
        ):
            found.append(_extend_back(text, morphs, i))
    found += [Detection(PiiType.NAME, m.start(1), m.end(1)) for m in _SELF_INTRO_RE.finditer(text)]
    found += [
        Detection(PiiType.NAME, m.start(1), m.end(1))
        for m in _ORG_INTRO_RE.finditer(text)
        if m.group(1) not in _NOT_NAMES
    ]
    # After 名前は / 氏名が: the nouns up to the first particle or copula.
    for match in _NAME_CUE_RE.finditer(text):
        rest = [m for m in morphs if m[0] >= match.end()]
        span: list[tuple[int, int, str, str, str]] = []
        for m in rest[:_MAX_NAME_MORPHS]:
            if not _is_name_word(m, text[m[0] : m[1]]) or (span and text[span[-1][1] : m[0]].strip()):
                break
            span.append(m)
        if span:
            found.append(Detection(PiiType.NAME, span[0][0], span[-1][1]))
        # A name Whisper spelled in kana it could not parse (にひむらまくとです): the kana up to です.
        kana = _KANA_NAME_RE.match(text, match.end())
        if kana is not None and len(reader.morphemes(kana.group(1))) > 1:  # いいです is a word
            found.append(Detection(PiiType.NAME, kana.start(1), kana.end(1)))
    return found


def _is_katakana_word(surface: str) -> bool:
    return bool(surface) and all("\u30a1" <= c <= "\u30fa" or c == "ー" for c in surface)


def _extend_back(text: str, morphs: Sequence[tuple[int, int, str, str, str]], i: int) -> Detection:
    """The name ending at morpheme ``i``, with the name words right before it (山田 + 太郎)."""
    first = i
    while (
        first > 0
        and i - first < _MAX_NAME_MORPHS - 1
        and morphs[first - 1][1] == morphs[first][0]
        and (
            _is_person(morphs[first - 1])
            or _is_katakana_word(text[morphs[first - 1][0] : morphs[first - 1][1]])
        )
        and text[morphs[first - 1][0] : morphs[first - 1][1]] not in _NOT_NAMES
    ):
        first -= 1
    return Detection(PiiType.NAME, morphs[first][0], morphs[i][1])


def detect_names(text: str, names: Iterable[PersonName], reader: Reader) -> list[Detection]:
    return find_crm_names(text, list(names), reader) + find_introduced_names(text, reader)
