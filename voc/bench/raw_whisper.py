"""Raw faster-whisper as a user would run it by hand, in a process of its own (``voc bench asr`` starts it)::

    python -m voc.bench.raw_whisper MODEL_DIR THREADS OUT.json FILE...

One ``WhisperModel`` (int8, ``THREADS`` CPU threads), loaded once; file after file, each decoded by
``decode_audio`` (mixed to mono), ``transcribe(language="ja", beam_size=5, vad_filter=True)`` consumed to
the end. Writes ``{"texts": {file name: text}, "audio_s", "load_s", "transcribe_s"}`` to OUT.json, so that
the caller can tell the process's start-up and model load from the transcription itself.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from faster_whisper import WhisperModel, decode_audio

SAMPLE_RATE = 16000


def transcribe_all(model_dir: str, threads: int, files: list[str]) -> dict[str, object]:
    start = time.perf_counter()
    model = WhisperModel(
        model_dir, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True
    )
    loaded = time.perf_counter()
    texts: dict[str, str] = {}
    audio_s = 0.0
    for file in files:
        audio = decode_audio(file)
        audio_s += len(audio) / SAMPLE_RATE
        segments, _info = model.transcribe(audio, language="ja", beam_size=5, vad_filter=True)
        texts[Path(file).name] = "".join(segment.text for segment in segments)
    return {
        "texts": texts,
        "audio_s": audio_s,
        "load_s": loaded - start,
        "transcribe_s": time.perf_counter() - loaded,
    }


def main(argv: list[str]) -> None:
    model_dir, threads, out, *files = argv
    result = transcribe_all(model_dir, int(threads), files)
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
