"""Generate the ASR benchmark corpus (`voc bench asr`): calls written for it (scripts/bench_dialogues.py),
not the examples, as a call recorder would deliver them: 8 kHz, stereo (operator left, customer right) or
mono, FLAC, WAV or MP3, with the recorder's calls.csv and reference transcripts for CER.

The speech comes from Open JTalk (`pyopenjtalk-plus`, its bundled voice, pitch and speed varied per
speaker). It lives in its own virtual environment so that its dependencies never reach the project's .venv:

    python3 -m venv .venv-tts
    .venv-tts/bin/pip install numpy av==18.1.0 pydantic sudachipy sudachidict_core
    .venv-tts/bin/pip install --no-deps pyopenjtalk-plus
    nice -n 10 .venv-tts/bin/python scripts/make_bench_calls.py var/bench-calls

Output (deterministic for a seed): DIR/calls/*.{flac,wav,mp3}, DIR/calls.csv, DIR/transcripts.json
({file: {"channels", "turns": [{speaker, start, end, text}]}}).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import av  # type: ignore[import-not-found, import-untyped, unused-ignore]
import numpy as np
import numpy.typing as npt
import pyopenjtalk  # type: ignore[import-not-found, import-untyped, unused-ignore]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audio_level import level
from bench_dialogues import CHECKS, CLOSINGS, GREETINGS, SCENARIOS, Turn

CALL_RATE = 8000
TTS_RATE = 48000
LEAD_S = 0.6
GAP_RANGE_S = (0.25, 1.1)
OPERATOR_RMS = 0.08
CUSTOMER_RMS = 0.10
NOISE_RMS = 0.002  # line hiss, so that silence is not digital zero
COLUMNS = ("call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number")
AGENTS = ("石井", "森", "岡田", "松本")
START = datetime(2026, 11, 2, 9, 0)


@dataclass(frozen=True)
class Voice:
    half_tone: float
    speed: float


@dataclass(frozen=True)
class Plan:
    file: str
    call_id: str
    agent: str
    channels: str  # stereo_operator_left | mono
    fmt: str  # flac | wav | mp3
    topic: str
    lines: tuple[Turn, ...]
    operator: Voice
    customer: Voice
    started_at: str


def plan_calls(count: int, seed: int) -> list[Plan]:
    """``count`` calls cycling over every scenario; every third call mono (MP3 or WAV), the rest stereo
    (FLAC, WAV, now and then MP3)."""
    rng = np.random.default_rng(seed)
    scenarios = [(topic, body) for topic, bodies in SCENARIOS.items() for body in bodies]
    order = rng.permutation(len(scenarios))
    plans = []
    for i in range(count):
        topic, body = scenarios[int(order[i % len(scenarios)])]
        agent = AGENTS[int(rng.integers(len(AGENTS)))]
        greeting = GREETINGS[int(rng.integers(len(GREETINGS)))]
        check = CHECKS[int(rng.integers(len(CHECKS)))]
        closing = CLOSINGS[int(rng.integers(len(CLOSINGS)))]
        lines = tuple(
            (speaker, text.replace("{agent}", agent))
            for speaker, text in (*greeting, *check, *body, *closing)
        )
        mono = i % 3 == 2
        fmt = ("mp3", "mp3", "wav")[(i // 3) % 3] if mono else ("flac", "wav", "flac", "mp3")[i % 4]
        operator = Voice(float(rng.uniform(2.0, 5.0)), float(rng.uniform(1.0, 1.15)))
        customer = Voice(float(rng.uniform(-3.0, 1.0)), float(rng.uniform(0.9, 1.1)))
        started = START + timedelta(days=i // 4, minutes=int(rng.integers(0, 480)))
        plans.append(
            Plan(
                file=f"bench_{i + 1:02d}_{topic}.{fmt}",
                call_id=f"B{i + 1:03d}",
                agent=agent,
                channels="mono" if mono else "stereo_operator_left",
                fmt=fmt,
                topic=topic,
                lines=lines,
                operator=operator,
                customer=customer,
                started_at=started.isoformat(timespec="minutes"),
            )
        )
    return plans


@cache
def tts(text: str, half_tone: float, speed: float) -> npt.NDArray[np.float32]:
    """Open JTalk at 48 kHz (int16 range), resampled to 8 kHz by libswresample, peak-normalised."""
    wave, rate = pyopenjtalk.tts(text, speed=speed, half_tone=half_tone, use_vanilla=True)
    assert rate == TTS_RATE, rate
    pcm = np.asarray(np.clip(wave, -32768, 32767), np.int16).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
    frame.sample_rate = TTS_RATE
    resampler = av.AudioResampler(format="flt", layout="mono", rate=CALL_RATE)
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32)


def render(plan: Plan, seed: int) -> tuple[npt.NDArray[np.int16], list[dict[str, Any]]]:
    """The turns one after another with seeded gaps; PCM (samples, channels) and the reference turns."""
    rng = np.random.default_rng(seed)
    pieces: list[tuple[str, int, npt.NDArray[np.float32]]] = []
    turns: list[dict[str, Any]] = []
    pos = round(LEAD_S * CALL_RATE)
    for speaker, text in plan.lines:
        is_op = speaker == "o"
        voice = plan.operator if is_op else plan.customer
        audio = level(tts(text, voice.half_tone, voice.speed), OPERATOR_RMS if is_op else CUSTOMER_RMS)
        name = "operator" if is_op else "customer"
        pieces.append((name, pos, audio))
        turns.append(
            {
                "speaker": name,
                "start": round(pos / CALL_RATE, 3),
                "end": round((pos + len(audio)) / CALL_RATE, 3),
                "text": text,
            }
        )
        pos += len(audio) + round(float(rng.uniform(*GAP_RANGE_S)) * CALL_RATE)
    n_ch = 1 if plan.channels == "mono" else 2
    mix = rng.normal(0.0, NOISE_RMS, (pos + round(LEAD_S * CALL_RATE), n_ch)).astype(np.float32)
    for name, start, audio in pieces:
        channel = 0 if name == "operator" or n_ch == 1 else 1
        mix[start : start + len(audio), channel] += audio
    return np.asarray(np.round(np.clip(mix, -1.0, 1.0) * 32767.0), np.int16), turns


def write_audio(path: Path, pcm: npt.NDArray[np.int16], fmt: str) -> None:
    """Encode with PyAV, bit-exact muxing so that a seed gives the same bytes."""
    layout = "mono" if pcm.shape[1] == 1 else "stereo"
    codec = {"flac": "flac", "wav": "pcm_s16le", "mp3": "libmp3lame"}[fmt]
    with av.open(str(path), "w", format=fmt, options={"fflags": "+bitexact"}) as out:
        stream = out.add_stream(codec, rate=CALL_RATE, layout=layout)
        if fmt == "mp3":
            stream.codec_context.bit_rate = 32000
        resampler = av.AudioResampler(format=stream.codec_context.format, layout=layout, rate=CALL_RATE)
        for i in range(0, len(pcm), 4096):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm[i : i + 4096]).reshape(1, -1), format="s16", layout=layout
            )
            frame.sample_rate = CALL_RATE
            for converted in resampler.resample(frame):
                out.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            out.mux(stream.encode(converted))
        out.mux(stream.encode(None))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="Output folder (e.g. var/bench-calls).")
    parser.add_argument("--calls", type=int, default=21)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    calls_dir = args.out / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    transcripts: dict[str, Any] = {}
    rows = []
    total = 0.0
    for index, plan in enumerate(plan_calls(args.calls, args.seed)):
        pcm, turns = render(plan, args.seed * 1000 + index)
        write_audio(calls_dir / plan.file, pcm, plan.fmt)
        transcripts[plan.file] = {"channels": plan.channels, "topic": plan.topic, "turns": turns}
        rows.append((plan.call_id, f"calls/{plan.file}", plan.agent, plan.started_at, plan.channels, "", ""))
        total += len(pcm) / CALL_RATE
        print(f"{plan.file}: {len(pcm) / CALL_RATE:.1f} s {plan.channels}", file=sys.stderr)
    with (args.out / "calls.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(
            ("call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number")
        )
        writer.writerows(rows)
    (args.out / "transcripts.json").write_text(
        json.dumps(transcripts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(rows)} calls, {total:.0f} s of audio in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
