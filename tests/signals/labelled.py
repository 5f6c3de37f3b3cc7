"""A labelled set for ``value_complaint`` built from templates, with fillers and varied wording.

The baseline's known mistakes are built in, as analysts meet them in real calls:
- price questions that contain a price word (料金が高いプランと安いプランの違い, 値上げの予定はありますか):
  the rules fire, an analyst dismisses;
- complaints in words the lexicon lacks (支払いがきつい, 金額が負担, 財布に痛い): the rules miss them,
  an analyst labels them.
Noise: fillers, endings, amounts and subjects vary, and a few labels are flipped (analysts disagree).
Deterministic (fixed seed) so the test is stable.
"""

from __future__ import annotations

import random

FILLERS = ("", "", "えーと、", "あの、", "すみません、", "正直、", "ちょっと、", "まあ、")
ENDINGS = ("", "ね", "よ", "けど")
SUBJECTS = ("料金", "月額料金", "毎月の料金", "スマートプランの料金", "今の料金", "請求額")
AMOUNTS = ("6800円", "9800円", "4980円", "月に一万円", "毎月8000円")

# The rules find these (label 1).
CAUGHT = (
    "{s}が高すぎます{e}。",
    "{s}が高いんです{e}。",
    "この{s}だと割に合わないです{e}。",
    "{a}も払っているのに、正直コスパが悪いです{e}。",
    "{s}が値段に見合っていないと思います{e}。",
)
# Complaints the rules miss (label 1).
MISSED = (
    "{a}の支払いがきついです{e}。",
    "{s}が家計の負担になっています{e}。",
    "{a}は財布に痛いです{e}。",
    "{s}の支払いが厳しくて{e}。",
    "{a}の出費がつらいです{e}。",
)
# Questions the rules mistake for complaints (label 0).
FALSE_ALARMS = (
    "{s}が高いプランと安いプランの違いを教えてください{e}。",
    "値上げの予定はありますか{e}。",
    "高いプランに変えたら何が変わるか教えてください{e}。",
    "{s}が高いプランの内容を知りたいです{e}。",
    "来年の値上げについて教えてください{e}。",
)
# Ordinary talk (label 0).
ORDINARY = (
    "{s}の明細を送ってください{e}。",
    "{a}の引き落とし日を知りたいです{e}。",
    "請求書の送り先を変えたいです{e}。",
    "いつも便利に使っています{e}。",
    "{s}の支払い方法を変更したいです{e}。",
)


def value_complaint_set(
    per_template: int = 5, seed: int = 7, flipped: int = 3
) -> tuple[list[str], list[int]]:
    """``(texts, labels)``: 4 groups × 5 templates × ``per_template`` utterances, shuffled."""
    rng = random.Random(seed)
    rows: list[tuple[str, int]] = []
    for templates, label in ((CAUGHT, 1), (MISSED, 1), (FALSE_ALARMS, 0), (ORDINARY, 0)):
        for template in templates:
            for _ in range(per_template):
                body = template.format(s=rng.choice(SUBJECTS), a=rng.choice(AMOUNTS), e=rng.choice(ENDINGS))
                rows.append((rng.choice(FILLERS) + body, label))
    rng.shuffle(rows)
    for i in rng.sample(range(len(rows)), flipped):
        rows[i] = (rows[i][0], 1 - rows[i][1])
    return [t for t, _ in rows], [y for _, y in rows]
