"""One Whisper base model per test session (tests that use it are marked ``slow``).

The model is the ``model_dir`` fixture of tests/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from voc.asr import AsrOptions, Transcriber
from voc.asr.model import load_model

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "audio"


@pytest.fixture(scope="session")
def asr_options(model_dir: Path) -> AsrOptions:
    return AsrOptions(model_dir=model_dir)


@pytest.fixture(scope="session")
def whisper_model(asr_options: AsrOptions) -> Iterator[Any]:
    yield load_model(asr_options)


@pytest.fixture()
def transcriber(asr_options: AsrOptions, whisper_model: Any) -> Transcriber:
    return Transcriber(asr_options, model=whisper_model)


def fixture_path(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip(f"fixture {name} not generated yet")
    return path
