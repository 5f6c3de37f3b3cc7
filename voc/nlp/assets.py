"""Default locations of the NLP assets, under the one models directory (:func:`voc.paths.models_dir`).

Library functions take paths as arguments; these defaults are for entry points (CLI, API, worker) and tests.
In a source checkout they are ``models/nlp/`` of the repository; for an installed package, the data
directory's ``models/nlp/`` (``voc models assemble`` copies the shipped files there).
"""

from __future__ import annotations

from voc.paths import models_dir

MODELS_DIR = models_dir() / "nlp"
DOMAIN_TERMS_PATH = MODELS_DIR / "domain_terms.tsv"
POLARITY_PATH = MODELS_DIR / "polarity.tsv"
# Built at install time by ``voc models build`` (git-ignored).
USER_DIC_PATH = MODELS_DIR / "user.dic"
