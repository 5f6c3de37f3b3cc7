from __future__ import annotations

from voc.asr.guards import collapse_repeats, filter_segments, is_hallucination_phrase
from voc.asr.transcript import Speaker, TranscriptSegment


def seg(text: str, avg_logprob: float = -0.2, no_speech_prob: float = 0.05) -> TranscriptSegment:
    return TranscriptSegment(Speaker.CUSTOMER, 1.0, 3.0, text, avg_logprob, no_speech_prob)


def guard(*segments: TranscriptSegment) -> list[str]:
    return [s.text for s in filter_segments(segments, logprob_below=-0.6, no_speech_above=0.3)]


def test_silence_phrase_on_a_low_confidence_segment_is_dropped() -> None:
    assert guard(seg("ご視聴ありがとうございました", avg_logprob=-0.9)) == []
    assert guard(seg("チャンネル登録お願いします。", no_speech_prob=0.7)) == []
    assert guard(seg("字幕 by ○○", avg_logprob=-1.1)) == []


def test_the_same_phrase_said_clearly_is_kept() -> None:
    assert guard(seg("おやすみなさい", avg_logprob=-0.15, no_speech_prob=0.01)) == ["おやすみなさい"]


def test_ordinary_low_confidence_speech_is_kept() -> None:
    assert guard(seg("料金が高いと思います", avg_logprob=-0.9)) == ["料金が高いと思います"]


def test_a_phrase_inside_a_longer_sentence_is_not_a_hallucination() -> None:
    assert not is_hallucination_phrase("昨日の動画のチャンネル登録の方法について教えてください")
    assert is_hallucination_phrase("ご視聴ありがとうございました。")


def test_repetition_loops_are_cut_back() -> None:
    assert collapse_repeats("はいはいはいはいはいはいはい") == "はいはいはい"
    assert collapse_repeats(
        "ありがとうございますありがとうございますありがとうございますありがとうございます"
    ) == ("ありがとうございます" * 3)
    assert collapse_repeats("はいはい、わかりました") == "はいはい、わかりました"
    assert guard(seg("よろしくお願いします" * 6)) == ["よろしくお願いします" * 3]


def test_empty_and_punctuation_only_segments_are_dropped() -> None:
    assert guard(seg("  "), seg("。、…")) == []


def test_hotword_echo_over_silence_is_dropped_but_real_use_is_kept() -> None:
    echo = seg("お問い合わせ 誠に誠に誠に", avg_logprob=-0.42, no_speech_prob=0.45)
    said = seg("お問い合わせありがとうございます", avg_logprob=-0.42, no_speech_prob=0.45)
    kept = filter_segments(
        [echo, said], logprob_below=-0.6, no_speech_above=0.3, hotwords="お問い合わせ 誠に"
    )
    assert [s.text for s in kept] == ["お問い合わせありがとうございます"]


def test_an_echo_of_some_of_the_hotwords_is_dropped_as_they_are_joined() -> None:
    # The service joins its hotwords with 「、」: an echo of two of them is still an echo.
    echo = seg("ソラネット ミドリ通信", avg_logprob=-0.42, no_speech_prob=0.45)
    said = seg("ソラネットより高いですね", avg_logprob=-0.42, no_speech_prob=0.45)
    kept = filter_segments(
        [echo, said], logprob_below=-0.6, no_speech_above=0.3, hotwords="ソラネット、ミドリ通信、光プラン"
    )
    assert [s.text for s in kept] == ["ソラネットより高いですね"]


def test_likely_silence_that_is_also_uncertain_is_dropped() -> None:
    assert guard(seg("おはようございます", avg_logprob=-0.69, no_speech_prob=0.37)) == []
    assert guard(seg("おはようございます", avg_logprob=-0.69, no_speech_prob=0.05)) == ["おはようございます"]
