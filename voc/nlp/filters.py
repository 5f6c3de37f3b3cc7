"""Which words are kept: a part-of-speech filter plus a short, reviewed stopword list.

Off-the-shelf Japanese stopword lists drop ない, 高い, いい and 円, which carry the complaints we look for;
this list only holds function-like verbs, formal nouns, backchannels and fillers. A stopword that is
negated (ある_NEG: "there is none") is kept, because the negation is the information.
"""

from __future__ import annotations

from voc.nlp.morph import Morph

KEEP_POS1 = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "感動詞"})
# Speech fillers; UniDic tags most as 感動詞-フィラー, some (まあ, その, なんか) by other parts of speech.
FILLERS = frozenset(
    {"えーと", "えっと", "ええと", "えー", "あの", "あのー", "その", "まあ", "うーん", "んー", "なんか"}
)
STOPWORDS = frozenset(
    {
        # verbs that mostly carry grammar (する, いる …) and polite auxiliaries
        "する", "いる", "ある", "なる", "おる", "ござる", "いたす", "くださる", "いただく", "もらう",
        "くれる", "しまう", "おく", "みる", "いう", "言う", "思う",
        # formal nouns
        "こと", "もの", "わけ", "ため", "よう", "ところ", "の", "ん", "方", "さま", "さん",
        # backchannels and hedges
        "はい", "ええ", "うん", "ちょっと", "やっぱり", "やはり", "とりあえず", "一応", "実は",
    }
)  # fmt: skip
NEVER_STOPWORDS = frozenset({"ない", "高い", "安い", "いい", "悪い", "円"})


def is_content(m: Morph) -> bool:
    """A content word by part of speech (numbers, fillers and auxiliary stems excluded)."""
    if m.pos1 not in KEEP_POS1:
        return False
    if m.pos2 in ("数詞", "助動詞語幹", "フィラー"):
        return False
    return m.norm not in FILLERS and m.surface not in FILLERS


def is_stopword(norm: str) -> bool:
    return norm in STOPWORDS or norm in FILLERS
