"""Speech recognition with faster-whisper: model assets, channel split, transcription, guards, metrics.

Nothing heavy is imported here; faster-whisper loads when a model is first used.
"""

from voc.asr.model_assets import (
    ModelAssetError,
    ModelNotFoundError,
    assemble_bundled_model,
    resolve_model_dir,
)
from voc.asr.options import AsrOptions, ChannelLayout, VadParameters
from voc.asr.transcribe import Transcriber
from voc.asr.transcript import Speaker, Transcript, TranscriptSegment

__all__ = [
    "AsrOptions",
    "ChannelLayout",
    "ModelAssetError",
    "ModelNotFoundError",
    "Speaker",
    "Transcriber",
    "Transcript",
    "TranscriptSegment",
    "VadParameters",
    "assemble_bundled_model",
    "resolve_model_dir",
]
