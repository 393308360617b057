"""The grader's random points and inputs, drawn so that nobody can predict them.

A formula is compared with the key's at random points, and a code fill-in is run on
random inputs.  Were those drawn from a fixed seed, anyone holding the public tool could
read them and write a wrong answer that agrees at exactly those points
(``(f-1)/2 + (f-p1)...(f-p8)``).  So each comparison draws from its own stream, keyed by

- the run's grading key (:func:`keyed`): a digest of the run's key.json, which only the
  instructor holds for a private class;
- and the texts being compared (the key's answer and the response itself): to aim at the
  points, a response would have to contain the roots its own digest draws.

The same key and response always draw the same points, so re-grading gives the same
verdict; nothing else (no clock, no global state of numpy) enters the stream.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

_KEY: ContextVar[bytes] = ContextVar("grading_key", default=b"generate-exam grading")


@contextmanager
def keyed(key: bytes) -> Iterator[None]:
    """Within this block, every stream is keyed by ``key`` (the run key.json's digest)."""
    token = _KEY.set(hashlib.blake2b(key, digest_size=32).digest())
    try:
        yield
    finally:
        _KEY.reset(token)


def current_key() -> bytes:
    """The key streams are drawn under now (what a memo of verdicts must include)."""
    return _KEY.get()


def stream(*texts: str) -> np.random.Generator:
    """A Generator drawn from the grading key and ``texts`` (each length-prefixed, so no
    two different lists of texts give the same stream)."""
    digest = hashlib.blake2b(_KEY.get(), digest_size=32)
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big") + data)
    return np.random.default_rng(int.from_bytes(digest.digest(), "big"))
