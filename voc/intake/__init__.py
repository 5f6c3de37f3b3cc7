"""Decoding untrusted media in a child process with a time limit.

from voc.intake import decode_file, DecodeError, DecodedAudio
"""

from voc.intake.decode import DEFAULT_MAX_DURATION_S, DEFAULT_TIMEOUT_S, decode_file
from voc.intake.errors import DECODE_ERROR_KINDS, DecodedAudio, DecodeError, DecodeErrorKind

__all__ = [
    "DECODE_ERROR_KINDS",
    "DEFAULT_MAX_DURATION_S",
    "DEFAULT_TIMEOUT_S",
    "DecodeError",
    "DecodeErrorKind",
    "DecodedAudio",
    "decode_file",
]
