"""Loading the Whisper model: local files only, created lazily in the process that uses it.

CTranslate2 models are not fork-safe, so nothing here runs at import time; a worker creates its model after
it has started (``Transcriber`` does so on first use).
"""

from __future__ import annotations

import logging
from typing import Any

from voc.asr.model_assets import resolve_model_dir
from voc.asr.options import AsrOptions

__all__ = ["load_model"]

logger = logging.getLogger(__name__)


def load_model(options: AsrOptions, *, setting_name: str = "VOC_ASR__MODEL_DIR") -> Any:
    """A ``faster_whisper.WhisperModel`` for ``options`` (mel bins, vocabulary etc. come from the model's
    own files, so any CTranslate2 Whisper directory works). Raises ``ModelNotFoundError``."""
    model_dir = resolve_model_dir(options.model_dir, setting_name)
    from faster_whisper import WhisperModel  # heavy import, deferred

    logger.info(
        "loading Whisper model %s (%s, %s, %d worker(s) x %d thread(s))",
        model_dir,
        options.device,
        options.compute_type,
        options.num_workers,
        options.cpu_threads,
    )
    return WhisperModel(
        str(model_dir),
        device=options.device,
        compute_type=options.compute_type,
        cpu_threads=options.cpu_threads,
        num_workers=options.num_workers,
        local_files_only=True,
    )
