"""Rejection sampling with a count of rejected draws (reported by ``generate-exam check``).

Samplers that must redraw until a constraint holds say so through :func:`until`,
so the rejection rate of every question can be measured instead of guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
MAX_ATTEMPTS = 10_000

_attempts: ContextVar[list[int] | None] = ContextVar("sampling_attempts", default=None)


def until(propose: Callable[[], T], accept: Callable[[T], bool]) -> T:
    """Draw with ``propose`` until ``accept`` holds; records how many draws it took."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        value = propose()
        if accept(value):
            log = _attempts.get()
            if log is not None:
                log.append(attempt)
            return value
    raise RuntimeError(f"no acceptable draw in {MAX_ATTEMPTS} attempts; loosen the constraint")


@contextmanager
def counting() -> Iterator[list[int]]:
    """Collect the attempts of every :func:`until` call inside the block."""
    log: list[int] = []
    token = _attempts.set(log)
    try:
        yield log
    finally:
        _attempts.reset(token)
