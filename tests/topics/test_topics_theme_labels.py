"""Topic labels name their theme: on the themed corpus, and on the same calls as they really arrive, with
fillers, generic verbs and redaction placeholders all over them."""

from __future__ import annotations

import random

import pytest

from tests.topics.conftest import Tokenize
from tests.topics.helpers import majority_themes
from tests.topics.synthetic import THEMES, Utterance
from voc.topics.labels import label_topics, readable_term
from voc.topics.model import TopicModel

# Words that name each theme of tests.topics.synthetic (what an analyst would accept as its label).
THEME_WORDS: dict[str, frozenset[str]] = {
    "請求ミス": frozenset({"請求", "返金", "明細", "二重請求", "請求金額", "請求書", "間違う"}),
    "通信品質": frozenset(
        {"電波", "遅い", "繋がらない", "切れる", "通信", "ネット", "インターネット", "通信速度", "回線"}
    ),
    "料金割高": frozenset({"高い", "料金", "割高", "コスパ", "安い", "他社", "合わない", "料金プラン"}),
    "使い方": frozenset({"分からない", "設定", "設定方法", "初期設定", "使い方", "方法", "データ移行"}),
    "お褒め": frozenset({"丁寧", "対応", "助かる", "親切", "説明", "ありがとう", "感謝", "わかりやすい"}),
    "手続き変更": frozenset({"変更", "手続き", "住所", "名義", "支払い方法", "登録"}),
    # ログインない: the stand-in tokenizer reads ログインできない as a negated ログイン
    "アプリ不具合": frozenset({"アプリ", "ログイン", "ログインない", "エラー", "パスワード"}),
}
# What a label must never show: generic verbs, fillers, auxiliaries and redaction placeholders.
NEVER_IN_LABELS = frozenset(
    {
        "使う", "思う", "考える", "する", "なる", "ある", "いる", "できる", "言う", "しない", "思わない",
        "えー", "あの", "まあ", "えーと", "そう", "です", "ます", "ない", "たい",
        "電話番号", "カード番号", "氏名", "郵便番号", "メールアドレス", "[電話番号]", "［電話番号］",
    }
)  # fmt: skip

# Noise as it arrives from real, redacted calls. Some of it concentrates in one theme on purpose (the
# customer changing an address reads out their number; the one asking how to use a feature says 使う a
# lot), which is exactly what lifts such words to the top of a topic's c-TF-IDF.
_OPENINGS = ("えー、", "あの、まあ、", "えーと、［氏名］と申しますが、", "まあ、", "")
_CLOSINGS = ("と思うんですけど。", "どう考えたらいいですかね。", "［電話番号］に折り返しお願いします。", "")
_THEME_NOISE = {
    "手続き変更": ("［氏名］です。［住所］、［電話番号］、［郵便番号］でお願いします。",),
    "請求ミス": ("［カード番号］で払った分です。［メールアドレス］に明細が来ました。",),
    "使い方": ("使ってみたいと思うんですけど、どう使うのか考えてしまって、えー、",),
    "料金割高": ("まあ、あの、そう思いますね。そうなると思います。",),
}


def _as_heard(u: Utterance, rng: random.Random) -> str:
    noise = _THEME_NOISE.get(u.theme, ("",))
    return rng.choice(_OPENINGS) + rng.choice(noise) + u.text + rng.choice(_CLOSINGS)


def _fit(
    texts: list[str], themes: list[str], tokenize: Tokenize, n_topics: int | None = None
) -> tuple[TopicModel, dict[int, str]]:
    model = TopicModel(n_topics=n_topics, random_state=0).fit([tokenize(t) for t in texts])
    return model, majority_themes(model.doc_topics_.tolist(), themes)


def _check_labels_name_their_theme(model: TopicModel, theme_of: dict[int, str]) -> None:
    named: set[str] = set()
    for info in model.topic_info_:
        theme = theme_of[info.topic]
        label_terms = info.label.split("・")
        words = THEME_WORDS[theme]
        assert label_terms[0] in words, (theme, info.label)
        assert sum(t in words for t in label_terms) >= 2, (theme, info.label)
        top = [t for t, _ in info.terms]
        assert not NEVER_IN_LABELS & set(top), (theme, top)
        named.add(theme)
    assert named == set(THEMES)


def test_each_topic_label_names_its_theme(utterances: list[Utterance], tokenize: Tokenize) -> None:
    model, theme_of = _fit([u.text for u in utterances], [u.theme for u in utterances], tokenize)
    _check_labels_name_their_theme(model, theme_of)


def test_labels_name_the_theme_through_fillers_generic_verbs_and_placeholders(
    utterances: list[Utterance], tokenize: Tokenize
) -> None:
    rng = random.Random(3)
    texts = [_as_heard(u, rng) for u in utterances]
    assert sum("［" in t for t in texts) > len(texts) / 4
    # The number of topics is fixed: choosing it is the model's business (tests/topics/test_topics_model.py),
    # naming what it found is the labels'.
    model, theme_of = _fit(texts, [u.theme for u in utterances], tokenize, n_topics=len(THEMES))
    _check_labels_name_their_theme(model, theme_of)


@pytest.mark.parametrize(
    "token",
    ["使う", "思う", "考える", "する", "なる", "ある", "いる", "できる", "言う", "えー", "まあ", "あの",
     "使う_NEG", "思う_NEG", "［電話番号］", "[カード番号]", "とても", "これ", "られる"],
)  # fmt: skip
def test_generic_words_and_placeholders_are_never_label_words(token: str) -> None:
    assert readable_term(token) is None


def test_generic_words_do_not_outrank_content_words() -> None:
    # 使う and 思う are in every document of topic 0 and nowhere else: without the filter they would lead.
    docs = [
        ["使う", "思う", "考える", "テザリング", "設定"],
        ["使う", "思う", "テザリング", "設定方法", "［電話番号］"],
        ["使う", "思う", "えー", "設定", "［電話番号］"],
        ["電波", "遅い", "切れる"],
        ["電波", "繋がる_NEG", "遅い"],
    ]
    labels = label_topics(docs, [0, 0, 0, 1, 1], n_topics=2)
    assert [t for t, _ in labels[0].terms] == ["テザリング", "設定", "設定方法"]  # ties: by the word
    assert labels[1].label == "遅い・電波・切れる"
