"""Topic labels from class-based TF-IDF (c-TF-IDF), and representative documents.

c-TF-IDF (as in BERTopic): concatenate the documents of each topic into one "class document"; the weight of
term ``t`` in topic ``c`` is ``tf(t, c) / |c| * log(1 + A / f(t))`` where ``|c|`` is the number of tokens in
the topic, ``A`` the mean number of tokens per topic and ``f(t)`` the frequency of ``t`` over all topics. A
term frequent in one topic and rare elsewhere ranks first; words every call contains sink.

Labels show only content words, because a label made of 使う・思う・えー names nothing: construction features
(``DESIRE:解約``, anything with ``:``) are returned separately; one-character tokens are dropped unless
allowlisted (高, 安, 円 …); so are generic verbs (使う, 思う, 考える, する, なる, ある, いる, できる, 言う),
fillers (えー, あの, まあ), auxiliaries, function words, demonstratives and hedging adverbs
(:data:`NON_LABEL_WORDS`, a short reviewed list, not a stopword list), and redaction placeholders
(［電話番号］: ``voc.redaction`` writes them in full-width brackets; the project tokenizer already drops
them, other tokenizers may keep them whole). Negated tokens (``繋がる_NEG``) are shown in their
「〜ない」 form (繋がらない) by :func:`readable_term`, because analysts read labels, not features.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer

NEG_SUFFIX = "_NEG"
LABEL_SEPARATOR = "・"
# Redaction placeholders are bracketed (［電話番号］, or [電話番号] after NFKC).
PLACEHOLDER_BRACKETS = ("［", "[")

# fmt: off
# One-character words that mean something on their own in contact-center talk.
ONE_CHAR_ALLOWLIST = frozenset(
    ("高", "安", "円", "税", "他", "妻", "夫", "母", "父", "娘", "孫", "株", "金", "鍵")
)
# Reviewed list: particles, auxiliaries, fillers and light verbs/nouns that carry no topic by themselves.
NON_LABEL_WORDS = frozenset((
    # fillers and backchannels
    "えー", "えーと", "えーっと", "ええと", "えっと", "あのー", "あの", "その", "この", "まあ", "なんか",
    "ちょっと", "はい", "ええ", "うん", "うーん", "んー", "あー", "ああ", "おー", "もしもし", "そう",
    # particles, conjunctions, auxiliaries
    "から", "まで", "けど", "けれど", "ので", "のに", "って", "とか", "など", "です", "ます", "ない",
    "たい", "れる", "られる", "せる", "させる", "ちゃう", "みたい", "らしい", "だけ", "ばかり", "くらい",
    "ぐらい", "ほど", "しか", "なんて", "でも", "だから", "それで", "じゃあ",
    # generic verbs (light, cognition, speech, giving/receiving) in kana and UniDic kanji lemmas
    "する", "為る", "いる", "居る", "ある", "有る", "なる", "成る", "思う", "言う", "いう", "出来る",
    "できる", "使う", "考える", "感じる", "感ずる", "来る", "くる", "行く", "いく", "みる",
    "おる", "ござる", "御座る", "いたす", "致す", "くださる", "下さる", "いただく", "頂く", "もらう",
    "貰う", "くれる", "呉れる", "しまう", "仕舞う", "おく", "置く", "やる", "遣る", "願う", "済む",
    "教える", "聞く", "伺う", "尋ねる",
    # formal nouns, demonstratives, pronouns
    "こと", "事", "もの", "物", "ところ", "所", "よう", "様", "感じ", "方", "わけ", "訳", "ため", "為",
    "はず", "筈", "これ", "それ", "あれ", "どれ", "ここ", "そこ", "あそこ", "こちら", "そちら", "あちら",
    "どちら", "こんな", "そんな", "あんな", "どんな", "こう", "どう", "何", "なに", "なん", "私", "わたし",
    "自分",
    # hedges and intensifiers
    "本当", "本当に", "とても", "すごく", "凄く", "かなり", "少し", "正直", "結構", "もう", "まだ",
    "やっぱり", "やはり", "一応", "とりあえず", "なんだか", "よく",
    # politeness
    "よろしく", "お願い", "すみません", "申し訳", "申し訳ない", "申す",
))

# Kanji + る verbs that are ichidan (見る → 見ない); every other kanji + る verb is godan (切る → 切らない).
_ICHIDAN_KANJI_RU = frozenset("見着寝出似煮得経居干")
# Na-adjectives negate with じゃない; other nouns with ない (連絡がない → 連絡ない).
_NA_ADJECTIVES = frozenset((
    "必要", "大丈夫", "便利", "丁寧", "親切", "簡単", "十分", "不要", "好き", "嫌い", "安全", "安心",
    "快適", "綺麗", "明確", "正確", "有効", "可能", "適切", "満足", "元気",
))
# Nouns from verb stems that end in い like an i-adjective (支払い is not 支払くない).
_I_NOUNS = frozenset((
    "支払い", "払い", "間違い", "勘違い", "違い", "扱い", "願い", "手伝い", "付き合い", "使い", "迷い",
    "住まい", "伺い", "誘い", "問い", "争い",
))
# fmt: on
_GODAN_A = dict(zip("うくぐすつぬぶむる", "わかがさたなばまら", strict=True))
_I_E_ROW = frozenset("いきぎしじちぢにひびぴみりえけげせぜてでねへべぺめれ")


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff"


def negative_form(lemma: str) -> str:
    """「〜ない」 form of a lemma: 繋がる → 繋がらない, 使える → 使えない, 高い → 高くない,
    連絡 → 連絡ない.

    Rule-based because UniDic gives lemmas, not conjugations: i-adjectives → くない; verbs by their
    last kana (ichidan when る follows an i/e-row kana or one of a few kanji such as 見);
    na-adjectives → じゃない; other nouns → ない (連絡がない, プランはありません): the tokenizer
    puts できない on できる itself, so a negated noun is mostly "there is no X".
    """
    if lemma in {"する", "為る"}:
        return "しない"
    if lemma.endswith("来る"):  # 来る, 出来る
        return lemma[:-2] + "来ない"
    if lemma == "くる":
        return "こない"
    if lemma.endswith("いい"):
        return lemma[:-2] + "よくない"
    if lemma.endswith("い") and len(lemma) >= 2 and lemma not in _I_NOUNS:
        return lemma[:-1] + "くない"
    last, prev = lemma[-1:], lemma[-2:-1]
    if last == "る" and prev:
        ichidan = prev in _I_E_ROW if _is_kana(prev) else (len(lemma) == 2 and prev in _ICHIDAN_KANJI_RU)
        return lemma[:-1] + ("ない" if ichidan else "らない")
    if last in _GODAN_A and prev:
        return lemma[:-1] + _GODAN_A[last] + "ない"
    if lemma in _NA_ADJECTIVES:
        return lemma + "じゃない"
    return lemma + "ない"


def readable_term(token: str) -> str | None:
    """The label form of an analysis token, or None when it is not a readable word.

    Features with ``:`` → None; ``X_NEG`` → the 「〜ない」 form of X; particles, fillers, generic verbs,
    placeholders, symbols, numbers and one-character tokens (outside :data:`ONE_CHAR_ALLOWLIST`) → None.
    """
    if ":" in token or token.startswith(PLACEHOLDER_BRACKETS):
        return None
    negated = token.endswith(NEG_SUFFIX)
    base = token[: -len(NEG_SUFFIX)] if negated else token
    if base in NON_LABEL_WORDS or not base:
        return None
    if len(base) == 1 and base not in ONE_CHAR_ALLOWLIST:
        return None
    if not any(ch.isalpha() for ch in base):  # numbers, symbols
        return None
    if all("\u3040" <= ch <= "\u309f" for ch in base) and len(base) <= 2 and not negated:
        return None  # two-kana hiragana words are particles/fillers in practice (ね, よね, かな)
    return negative_form(base) if negated else base


def is_feature(token: str) -> bool:
    """Construction features such as ``DESIRE:解約`` (shown beside labels, never in them)."""
    return ":" in token


@dataclass(frozen=True)
class TopicLabel:
    """Label of one topic: readable terms, construction features, its size."""

    topic: int
    label: str
    terms: list[tuple[str, float]]
    features: list[tuple[str, float]] = field(default_factory=list)
    n_docs: int = 0


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def class_tfidf(
    docs: Sequence[Sequence[str]], assignments: Sequence[int] | np.ndarray, n_topics: int
) -> tuple[sparse.csr_matrix, list[str]]:
    """c-TF-IDF matrix (n_topics × vocabulary) and its vocabulary; documents with topic -1 are ignored."""
    assign = np.asarray(assignments, dtype=np.int64)
    counts = CountVectorizer(analyzer=_identity, dtype=np.float64)
    x = counts.fit_transform(docs)
    keep = np.flatnonzero(assign >= 0)
    onehot = sparse.csr_matrix(
        (np.ones(len(keep)), (assign[keep], keep)), shape=(n_topics, len(assign)), dtype=np.float64
    )
    tf = sparse.csr_matrix(onehot @ x)
    class_sizes = np.asarray(tf.sum(axis=1)).ravel()
    term_freq = np.asarray(tf.sum(axis=0)).ravel()
    mean_size = class_sizes.mean() if n_topics else 0.0
    with np.errstate(divide="ignore"):
        idf = np.log1p(np.where(term_freq > 0, mean_size / np.maximum(term_freq, 1e-12), 0.0))
    inv_size = np.where(class_sizes > 0, 1.0 / np.maximum(class_sizes, 1e-12), 0.0)
    weights = sparse.diags(inv_size) @ tf @ sparse.diags(idf)
    return sparse.csr_matrix(weights), [str(t) for t in counts.get_feature_names_out()]


def label_topics(
    docs: Sequence[Sequence[str]],
    assignments: Sequence[int] | np.ndarray,
    n_topics: int,
    n_label_terms: int = 3,
    n_terms: int = 10,
) -> list[TopicLabel]:
    """One :class:`TopicLabel` per topic: top readable c-TF-IDF terms, label = top ``n_label_terms`` joined
    with ・ (negated and plain forms of one word count once), plus the top construction features."""
    weights, vocab = class_tfidf(docs, assignments, n_topics)
    sizes = np.bincount(
        np.asarray(assignments, dtype=np.int64)[np.asarray(assignments) >= 0], minlength=n_topics
    )
    labels: list[TopicLabel] = []
    for topic in range(n_topics):
        row = weights.getrow(topic)
        # ties broken by the token itself: the order of sparse entries is an implementation detail
        order = sorted(range(row.nnz), key=lambda j: (-row.data[j], vocab[row.indices[j]]))
        terms: list[tuple[str, float]] = []
        features: list[tuple[str, float]] = []
        seen: set[str] = set()
        for j in order:
            token, w = vocab[row.indices[j]], float(row.data[j])
            if w <= 0:
                break
            if is_feature(token):
                if len(features) < n_terms:
                    features.append((token, w))
                continue
            readable = readable_term(token)
            if readable is None or readable in seen:
                continue
            seen.add(readable)
            if len(terms) < n_terms:
                terms.append((readable, w))
            if len(terms) >= n_terms and len(features) >= n_terms:
                break
        label = LABEL_SEPARATOR.join(t for t, _ in terms[:n_label_terms]) or f"トピック{topic}"
        labels.append(TopicLabel(topic, label, terms, features, int(sizes[topic])))
    return labels


def representative_docs(weights: np.ndarray, assignments: Iterable[int], n_docs: int = 5) -> list[list[int]]:
    """Per topic, indices of the documents assigned to it with the highest topic weight (best first)."""
    w = np.asarray(weights)
    assign = np.fromiter(assignments, dtype=np.int64, count=w.shape[0])
    out: list[list[int]] = []
    for topic in range(w.shape[1]):
        idx = np.flatnonzero(assign == topic)
        order = np.argsort(-w[idx, topic], kind="stable")[:n_docs]
        out.append([int(i) for i in idx[order]])
    return out


def topic_display_names(labels: Sequence[str], custom: Mapping[int, str]) -> list[str]:
    """Analyst names where set, generated labels elsewhere."""
    return [custom.get(i, label) for i, label in enumerate(labels)]
