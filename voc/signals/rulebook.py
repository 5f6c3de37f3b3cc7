"""The rule book of the baseline: which tokens raise which signal, in which context, with what weight.

Read by ``voc.signals.rules``; token strings follow ``voc.nlp.tokens`` (``高い_NEG``, ``EXCESS:高い`` …).
A rule's ``name`` is what an analyst sees as the reason for a signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from voc.db.signals import SignalType


@dataclass(frozen=True, slots=True)
class Rule:
    """Fires on a token in ``words`` (``match="rival"``: a competitor's name; ``"rival_compare"``:
    ``COMPARE:<competitor>>安い``).

    ``context``: some other token of the clause must be one of these; ``surface``: the clause text must
    match this pattern; ``price``: the utterance must talk about money; ``block``: any of these tokens in
    the clause vetoes the rule, as does a clause holding all the tokens of a ``block_all`` set;
    ``rivals``: a competitor must be named in the clause.
    """

    signal: SignalType
    name: str
    weight: float
    words: frozenset[str] = frozenset()
    match: Literal["word", "rival", "rival_compare"] = "word"
    context: frozenset[str] = frozenset()
    surface: re.Pattern[str] | None = None
    price: bool = False
    block: frozenset[str] = frozenset()
    block_all: tuple[frozenset[str], ...] = ()
    rivals: bool = False


def _f(*words: str) -> frozenset[str]:
    return frozenset(words)


# Negated opinions and denied intentions: 高いとは思わない, 解約するつもりはない, 他社には興味がない.
_OPINION_DENIED = _f("思う_NEG", "感ずる_NEG", "感じる_NEG", "言う_NEG")
_INTENT_DENIED = _f("積り_NEG", "気_NEG", "考える_NEG", "予定_NEG", "検討_NEG", "思う_NEG", "興味_NEG")
# 興味がない splits into 興味 + ない (an adjective of its own): blocked as a pair.
_NO_INTEREST = (_f("興味", "ない"), _f("関心", "ない"))
_PRICE_PRAISE = _f("品質", "満足度", "評価", "性能", "人気", "精度", "安定", "満足", "価値")
_NETWORK = _f("電波", "回線", "通信", "通信速度", "速度", "ネット", "インターネット", "光回線", "接続")
_SERVICE = _NETWORK | _f("対応", "サービス", "品質", "態度", "サポート", "サポートセンター", "窓口", "説明")
_FEATURE = _f(
    "設定", "操作", "機能", "アプリ", "方法", "手順", "ログイン", "登録", "説明書", "マニュアル", "画面",
    "初期設定", "使い方", "やり方", "遣る", "仕方",
)  # fmt: skip
_COMPANY = _f("会社", "キャリア", "業者", "ところ", "所")
_USE_PHRASE = re.compile(r"使い方|使いかた|やり方|やりかた")
_WORTH_WORDS = re.compile(r"割に合わ|割りに合わ|割が合わ|見合わ|見合って(い)?な")

RULES: tuple[Rule, ...] = (
    # value_complaint: price and value
    Rule(SignalType.VALUE_COMPLAINT, "price.excess", 0.9, _f("EXCESS:高い", "EXCESS:割高", "EXCESS:高額")),
    Rule(
        SignalType.VALUE_COMPLAINT,
        "price.high",
        0.8,
        _f("高い"),
        price=True,
        block=_PRICE_PRAISE | _OPINION_DENIED,
    ),
    Rule(SignalType.VALUE_COMPLAINT, "price.overpriced", 0.8, _f("割高", "高額", "ぼったくり", "ボッタクリ")),
    Rule(
        SignalType.VALUE_COMPLAINT, "value.not_worth", 0.9, _f("見合う_NEG", "合う_NEG"), surface=_WORTH_WORDS
    ),
    Rule(
        SignalType.VALUE_COMPLAINT,
        "value.cost_performance",
        0.9,
        _f("悪い", "EXCESS:悪い", "いい_NEG", "低い", "微妙", "最悪"),
        context=_f("コスパ", "費用対効果"),
    ),
    Rule(
        SignalType.VALUE_COMPLAINT,
        "value.not_worth_paying",
        0.8,
        _f("ない", "ある_NEG", "無い"),
        context=_f("価値"),
    ),
    Rule(SignalType.VALUE_COMPLAINT, "value.not_worth_paying", 0.8, _f("価値_NEG", "意味_NEG"), price=True),
    Rule(SignalType.VALUE_COMPLAINT, "price.rise", 0.6, _f("値上げ", "値上がり"), block=_OPINION_DENIED),
    Rule(SignalType.VALUE_COMPLAINT, "value.wasteful", 0.6, _f("もったいない", "無駄", "損"), price=True),
    Rule(SignalType.VALUE_COMPLAINT, "price.cheaper_please", 0.5, _f("REQUEST:安い", "安い_NEG"), price=True),
    Rule(SignalType.VALUE_COMPLAINT, "price.rival_cheaper", 0.7, _f("安い", "お得"), match="rival_compare"),
    Rule(SignalType.VALUE_COMPLAINT, "price.rival_cheaper", 0.6, _f("安い", "お得"), rivals=True),
    # dissatisfaction: what the customer says about the service and their experience
    Rule(
        SignalType.DISSATISFACTION,
        "complaint.word",
        0.7,
        _f(
            "不満",
            "最悪",
            "酷い",
            "ひどい",
            "がっかり",
            "残念",
            "不便",
            "不快",
            "迷惑",
            "イライラ",
            "苛々",
            "腹立つ",
            "むかつく",
            "ムカつく",
            "ふざける",
            "信ずる_NEG",
            "許せる_NEG",
            "許す_NEG",
            "不信",
        ),
        block=_OPINION_DENIED,
    ),
    Rule(SignalType.DISSATISFACTION, "complaint.trouble", 0.6, _f("困る", "EXCESS:困る")),
    Rule(
        SignalType.DISSATISFACTION,
        "complaint.not_satisfied",
        0.7,
        _f("満足_NEG", "納得_NEG", "便利_NEG", "快適_NEG", "使いやすい_NEG", "丁寧_NEG", "親切_NEG"),
    ),
    Rule(SignalType.DISSATISFACTION, "complaint.not_satisfied", 0.7, _f("できる_NEG"), context=_f("納得")),
    Rule(
        SignalType.DISSATISFACTION,
        "complaint.bad_service",
        0.7,
        _f("悪い", "EXCESS:悪い", "いい_NEG"),
        context=_SERVICE,
    ),
    Rule(
        SignalType.DISSATISFACTION,
        "complaint.unreliable",
        0.6,
        _f("遅い", "EXCESS:遅い", "繋がる_NEG", "つながる_NEG", "弱い", "途切れる", "切れる"),
        context=_NETWORK,
    ),
    Rule(SignalType.DISSATISFACTION, "complaint.unreliable", 0.6, _f("繋がる_NEG", "つながる_NEG")),
    # churn_intent: leaving, switching, cancelling
    Rule(
        SignalType.CHURN_INTENT,
        "churn.desire",
        0.95,
        _f(
            "DESIRE:解約",
            "DESIRE:止める",
            "DESIRE:辞める",
            "DESIRE:やめる",
            "DESIRE:乗り換える",
            "DESIRE:乗り換え",
            "DESIRE:退会",
        ),
    ),
    Rule(SignalType.CHURN_INTENT, "churn.cancel", 0.8, _f("解約", "退会"), block=_INTENT_DENIED),
    Rule(
        SignalType.CHURN_INTENT,
        "churn.cancel",
        0.8,
        _f("解除", "DESIRE:解除"),
        context=_f("契約"),
        block=_INTENT_DENIED,
    ),
    Rule(SignalType.CHURN_INTENT, "churn.switch", 0.8, _f("乗り換える", "乗り換え"), block=_INTENT_DENIED),
    Rule(
        SignalType.CHURN_INTENT,
        "churn.switch",
        0.8,
        _f("変える", "DESIRE:変える", "移る", "DESIRE:移る"),
        context=_COMPANY,
        block=_INTENT_DENIED,
    ),
    Rule(
        SignalType.CHURN_INTENT, "churn.switch", 0.8, _f("変える", "移る"), rivals=True, block=_INTENT_DENIED
    ),
    Rule(
        SignalType.CHURN_INTENT,
        "churn.quit",
        0.8,
        _f("止める", "辞める", "やめる"),
        context=_f("契約", "サービス", "利用", "回線"),
        block=_INTENT_DENIED,
    ),
    # competitor_mention: rivals by name or by description
    Rule(
        SignalType.COMPETITOR_MENTION,
        "competitor.named",
        0.9,
        match="rival",
        block=_INTENT_DENIED,
        block_all=_NO_INTEREST,
    ),
    Rule(
        SignalType.COMPETITOR_MENTION,
        "competitor.other_company",
        0.7,
        _f("会社", "キャリア"),
        context=_f("他", "安い", "別", "よそ", "余所", "外"),
        block=_INTENT_DENIED,
        block_all=_NO_INTEREST,
    ),
    # feature_struggle: could not get the service to work for them
    Rule(SignalType.FEATURE_STRUGGLE, "struggle.cannot_master", 0.9, _f("こなせる_NEG", "こなす_NEG")),
    Rule(
        SignalType.FEATURE_STRUGGLE,
        "struggle.how_to",
        0.9,
        _f("分かる_NEG", "わかる_NEG", "難しい", "複雑", "わかりにくい"),
        surface=_USE_PHRASE,
    ),
    Rule(
        SignalType.FEATURE_STRUGGLE,
        "struggle.setup",
        0.8,
        _f(
            "分かる_NEG",
            "わかる_NEG",
            "できる_NEG",
            "難しい",
            "複雑",
            "わかりにくい",
            "分かりにくい",
            "使える_NEG",
            "EXCESS:難しい",
        ),
        context=_FEATURE,
    ),
    Rule(SignalType.FEATURE_STRUGGLE, "struggle.hard_to_use", 0.7, _f("使いにくい", "EXCESS:使いにくい")),
)
