"""Default locations of the committed NLP assets (``models/nlp/`` in the repository).

Library functions take paths as arguments; these defaults are for entry points (CLI, API, worker)
and tests.
"""

from __future__ import annotations

from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parents[2] / "models" / "nlp"
DOMAIN_TERMS_PATH = MODELS_DIR / "domain_terms.tsv"
POLARITY_PATH = MODELS_DIR / "polarity.tsv"
# Built at install time by ``voc models build`` (git-ignored).
USER_DIC_PATH = MODELS_DIR / "user.dic"
