"""Self-checks a solver runs while computing a key: a failed one stops generation.

Passed checks are recorded (per question variant) so that the key can say which
ones held; see :func:`recording`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_passed: ContextVar[list[str] | None] = ContextVar("passed_checks", default=None)


class EngineCheckError(ArithmeticError):
    """Two computations of the same answer disagree: a bug in the bank or the engine."""


def require(condition: bool, what: str) -> None:
    """Stop generation with ``what`` when a self-check fails; record it when it holds."""
    if not condition:
        raise EngineCheckError(f"engine check failed: {what}")
    log = _passed.get()
    if log is not None and what not in log:
        log.append(what)


@contextmanager
def recording() -> Iterator[list[str]]:
    """Collect the names of the checks that pass inside the block."""
    log: list[str] = []
    token = _passed.set(log)
    try:
        yield log
    finally:
        _passed.reset(token)


def memoize(function: Callable[..., T]) -> Callable[..., T]:
    """Cache a pure function and the self-checks it passed, replayed on every cached call.

    Without the replay, a variant's recorded checks would depend on what the process
    happened to compute before it.
    """
    results: dict[tuple, tuple[T, list[str]]] = {}

    @functools.wraps(function)
    def wrapper(*args: Any) -> T:
        if args not in results:
            with recording() as passed:
                results[args] = (function(*args), list(passed))
        value, passed = results[args]
        for what in passed:
            require(True, what)
        return value

    return wrapper


def same_answer(got: Any, expected: Any) -> bool:
    """Key value against a closed-form value: exact for integers and labels, 1e-9 for floats."""
    if isinstance(expected, Mapping):
        return (
            isinstance(got, Mapping)
            and set(got) == set(expected)
            and all(same_answer(got[k], expected[k]) for k in expected)
        )
    if isinstance(expected, list | tuple):
        return (
            isinstance(got, list | tuple)
            and len(got) == len(expected)
            and all(same_answer(g, e) for g, e in zip(got, expected, strict=True))
        )
    if isinstance(expected, float) or isinstance(got, float):
        return math.isclose(float(got), float(expected), rel_tol=1e-9, abs_tol=1e-12)
    return got == expected
