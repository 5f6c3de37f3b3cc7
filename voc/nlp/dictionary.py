"""The MeCab system dictionary (unidic-lite) and the fugashi tagger built on it.

``fugashi.Tagger()`` imports the ``unidic`` package before ``unidic_lite``; a bare ``pip install unidic``
(526 MB not yet downloaded) would silently shadow or break the dictionary. We therefore pass
unidic-lite's dicdir explicitly and use ``GenericTagger``, which never looks for ``unidic``.
"""

from __future__ import annotations

import logging
import shlex
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def system_dicdir() -> Path:
    """unidic-lite's dictionary directory (sys.dic, matrix.bin, left-id.def, right-id.def, …)."""
    import unidic_lite  # on use: its import finds the dictionary on disk; tests and --help need not

    return Path(str(unidic_lite.DICDIR))


def tagger_args(user_dic: str | Path | None = None) -> str:
    """MeCab arguments for the unidic-lite system dictionary plus an optional user dictionary.

    ``-r`` points at unidic-lite's (empty) mecabrc so no /etc/mecabrc from the host is read.
    """
    dicdir = system_dicdir()
    args = ["-r", str(dicdir / "mecabrc"), "-d", str(dicdir)]
    if user_dic is not None:
        path = Path(user_dic)
        if not path.is_file():
            raise FileNotFoundError(f"user dictionary {path} not found (build it with `voc models build`)")
        args += ["-u", str(path)]
    return " ".join(shlex.quote(a) for a in args)


def create_tagger(user_dic: str | Path | None = None) -> Any:
    """A fugashi ``GenericTagger`` on unidic-lite whose node features are ``UnidicFeatures26``."""
    import fugashi  # on use: the tagger (a C extension and its dictionary) is created lazily

    args = tagger_args(user_dic)
    logger.debug("creating fugashi tagger with %s", args)
    return fugashi.GenericTagger(args, wrapper=fugashi.UnidicFeatures26)
