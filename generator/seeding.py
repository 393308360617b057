"""The only place random generators are created.

A question's numbers come from a stream keyed by (exam seed, question id,
variant, purpose), never by the question's position in the blueprint: adding,
removing or reordering questions leaves every other question's numbers alone.
Python's ``hash()`` is salted per process, so the id is hashed with BLAKE2b.
"""

from __future__ import annotations

import hashlib

import numpy as np

WORDS_PER_KEY = 4


def key_words(text: str) -> list[int]:
    """Turn a text key into 32-bit words that seed a :class:`numpy.random.SeedSequence`."""
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4 * WORDS_PER_KEY).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, len(digest), 4)]


def rng_for(
    exam_seed: int, question_id: str, variant: int = 0, purpose: str = "params"
) -> np.random.Generator:
    """The generator for one purpose ("params", "choices", "checks") of one question variant."""
    if exam_seed < 0 or variant < 0:
        raise ValueError("seeds and variant numbers are non-negative integers")
    entropy = [*key_words(f"{question_id}/{purpose}"), variant, exam_seed]
    return np.random.default_rng(entropy)
