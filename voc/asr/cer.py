"""Character error rate for Japanese transcripts.

Both texts are NFKC-normalised and stripped of whitespace and punctuation (Unicode categories P* and S*,
which covers 。、！？「」・ and full-width symbols) before a character-level Levenshtein distance, so that
Whisper's punctuation and spacing habits do not count as errors.
"""

from __future__ import annotations

import unicodedata

__all__ = ["cer", "edit_distance", "normalize_for_cer"]


def normalize_for_cer(text: str) -> str:
    """NFKC, then drop whitespace, punctuation and symbols."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch)[0] not in ("P", "S"))


def edit_distance(ref: str, hyp: str) -> int:
    """Levenshtein distance over characters (two-row dynamic programming)."""
    if len(ref) < len(hyp):
        ref, hyp = hyp, ref
    previous = list(range(len(hyp) + 1))
    for i, rc in enumerate(ref, start=1):
        current = [i]
        for j, hc in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (rc != hc)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Edit distance / reference length after normalisation (0.0 for two empty texts; 1.0 when only the
    reference is empty)."""
    ref = normalize_for_cer(reference)
    hyp = normalize_for_cer(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
