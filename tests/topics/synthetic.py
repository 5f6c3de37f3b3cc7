"""Synthetic utterances with known themes, for the topic tests and the seeded browser-test server.

:func:`generate_utterances` — customer-side Japanese utterances from templates (several sentence frames ×
slot fillers × optional fillers/closings per theme), spread over ``weeks`` weeks. The theme
:data:`EMERGING_THEME` (app login failures) appears only in the last two weeks, so trend code has a real
emerging topic to find and stable themes to leave alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

EMERGING_THEME = "アプリ不具合"

# Each theme: sentence frames with {slot} placeholders, and the slot fillers. Fillers of one theme may share
# everyday words with another theme (料金, 変更, 方法, 対応) on purpose: the model has to use the context.
_THEMES: Mapping[str, tuple[Sequence[str], Mapping[str, Sequence[str]]]] = {
    "請求ミス": (
        (
            "{month}の請求が二重になっているんですけど、どういうことですか。",
            "明細を見たら{item}が二重に請求されていました。返金してもらえますか。",
            "{month}の請求金額がいつもより{amount}多いんです。請求が間違っていると思います。",
            "同じ{item}が二回請求されているみたいなんですが、返金はできますか。",
            "解約したはずの{item}がまだ請求されています。返金をお願いします。",
            "請求書の金額が間違っているので、明細を確認してほしいです。",
            "{month}の明細に覚えのない請求があります。二重請求じゃないですか。",
        ),
        {
            "month": ("先月", "今月", "三月分", "前回", "今回"),
            "item": ("オプション料金", "基本料金", "端末代金", "通話料", "月額料金"),
            "amount": ("二千円", "三千円くらい", "倍くらい", "五百円"),
        },
    ),
    "通信品質": (
        (
            "{place}だと電波が{bad}んです。通信がすぐ切れます。",
            "最近{net}が遅くて、{place}では電波もつながらないです。",
            "通話中によく電波が切れるんですよ。{net}も遅いです。",
            "{time}になると{net}がつながらないんです。電波が{bad}みたいで。",
            "{place}では{net}が遅いし、すぐ切れます。",
            "電波が{bad_te}{net}につながらないことが多いです。",
            "{time}は通信速度がすごく遅くなって、つながらないこともあります。",
        ),
        {
            "place": ("自宅", "会社", "地下鉄", "駅の近く", "マンションの中"),
            "bad": ("弱い", "悪い", "よくない"),
            "bad_te": ("弱くて", "悪くて", "不安定で"),
            "net": ("ネット", "インターネット", "データ通信", "回線"),
            "time": ("夜", "お昼休み", "夕方", "週末"),
        },
    ),
    "料金割高": (
        (
            "今の料金プランは{adv}高いと思います。割に合わないです。",
            "毎月{amount}払うのは割に合わないですね。料金が高すぎます。",
            "他社の方が安いので乗り換えを考えています。こちらの料金は高いです。",
            "正直コスパが悪いと感じています。料金が高いです。",
            "ほとんど使っていないのに料金が高すぎます。",
            "{adv}料金が高いので、もっと安いプランはありませんか。",
            "この料金だと割高な気がします。他社と比べても高いです。",
        ),
        {
            "adv": ("ちょっと", "かなり", "少し", "正直"),
            "amount": ("八千円", "一万円", "七千円も", "六千円"),
        },
    ),
    "使い方": (
        (
            "{feature}の設定方法がわからないんですが。",
            "{device}で{feature}を設定するにはどうすればいいですか。使い方がわからなくて。",
            "説明書を読んでも{feature}の設定がよくわからなくて。",
            "{feature}の使い方を教えてもらえますか。",
            "{device}の初期設定の方法がわかりません。",
            "{feature}をオンにする設定方法を教えてください。",
        ),
        {
            "feature": ("テザリング", "留守番電話", "メール", "転送電話", "データ移行", "バックアップ"),
            "device": ("新しいスマホ", "タブレット", "iPhone", "ルーター"),
        },
    ),
    "お褒め": (
        (
            "前回の担当の方がとても丁寧に対応してくださって助かりました。",
            "{staff}の説明がわかりやすくて本当に助かりました。",
            "すぐに丁寧な対応をしていただいて{thanks}。",
            "{staff}が親切に対応してくださって{thanks}。",
            "{staff}の対応がとても丁寧で助かりました。",
            "いつも丁寧に説明していただいて{thanks}。",
        ),
        {
            "thanks": ("ありがとうございます", "助かりました", "感謝しています"),
            "staff": ("オペレーターの方", "担当者さん", "窓口の方", "店員さん"),
        },
    ),
    "手続き変更": (
        (
            "引っ越したので住所の変更の手続きをお願いしたいです。",
            "結婚して名字が変わったので名義の変更の手続きをしたいです。",
            "支払い方法を{pay_from}から{pay_to}に変更したいんですが、手続きはどうすればいいですか。",
            "契約者の名義を{family}に変更したいのですが、必要な書類は何ですか。",
            "{pay_to}への支払い方法の変更はどうやって手続きすればいいですか。",
            "登録している住所を新しい住所に変更する手続きをしたいです。",
        ),
        {
            "pay_from": ("クレジットカード", "口座振替", "コンビニ払い"),
            "pay_to": ("口座振替", "クレジットカード", "請求書払い"),
            "family": ("妻", "夫", "息子", "母"),
        },
    ),
    EMERGING_THEME: (
        (
            "アップデートしてからアプリにログインできません。",
            "アプリを開くとエラーが出て落ちてしまいます。ログインもできません。",
            "パスワードを入れてもアプリにログインできないんです。",
            "新しいバージョンのアプリでエラーが出て起動しなくなりました。",
            "{app}アプリでエラーが出てログインできない状態です。",
            "昨日から{app}アプリが固まってログインできません。",
        ),
        {"app": ("公式", "マイページの", "会員", "サポート")},
    ),
}

# Shared openings and closings: the noise of real calls (fillers, apologies, politeness).
_OPENINGS = ("", "", "えーと、", "あの、", "すみません、", "もしもし、", "ちょっとお聞きしたいんですが、")
_CLOSINGS = ("", "", "", "よろしくお願いします。", "どうにかなりませんか。", "困っています。")

THEMES: tuple[str, ...] = tuple(_THEMES)
STABLE_THEMES: tuple[str, ...] = tuple(t for t in _THEMES if t != EMERGING_THEME)
SEGMENTS: tuple[str, ...] = ("ライト", "スタンダード", "プレミアム")


@dataclass(frozen=True)
class Utterance:
    """One synthetic customer utterance with its known theme and CRM-like attributes."""

    text: str
    theme: str
    timestamp: datetime
    plan: str
    churned: bool


def _fill(frame: str, slots: Mapping[str, Sequence[str]], rng: random.Random) -> str:
    values = {name: rng.choice(list(options)) for name, options in slots.items()}
    return frame.format(**values)


def make_utterance(theme: str, rng: random.Random) -> str:
    """One utterance text for ``theme``: frame × slot fillers, with an optional opening and closing."""
    frames, slots = _THEMES[theme]
    return rng.choice(_OPENINGS) + _fill(rng.choice(list(frames)), slots, rng) + rng.choice(_CLOSINGS)


def generate_utterances(
    per_theme_per_week: int = 6,
    weeks: int = 12,
    emerging_per_week: int = 20,
    start: datetime = datetime(2024, 1, 1),
    seed: int = 0,
) -> list[Utterance]:
    """Utterances over ``weeks`` weeks starting ``start`` (a Monday keeps weeks aligned with ISO weeks).

    Every stable theme gets ``per_theme_per_week`` ± 1 utterances each week; :data:`EMERGING_THEME` gets
    ``emerging_per_week`` in each of the last two weeks only. Price complaints churn more often, so churn
    cross-tabs have a signal. Sorted by timestamp; same seed → same corpus.
    """
    rng = random.Random(seed)
    out: list[Utterance] = []
    for week in range(weeks):
        week_start = start + timedelta(weeks=week)
        counts = {theme: per_theme_per_week + rng.randint(-1, 1) for theme in STABLE_THEMES}
        if week >= weeks - 2:
            counts[EMERGING_THEME] = emerging_per_week
        for theme, n in counts.items():
            for _ in range(n):
                ts = week_start + timedelta(seconds=rng.randrange(7 * 24 * 3600))
                churn_p = 0.4 if theme == "料金割高" else 0.1
                out.append(
                    Utterance(
                        text=make_utterance(theme, rng),
                        theme=theme,
                        timestamp=ts,
                        plan=rng.choice(SEGMENTS),
                        churned=rng.random() < churn_p,
                    )
                )
    out.sort(key=lambda u: u.timestamp)
    return out
