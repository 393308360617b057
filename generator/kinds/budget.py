"""A CPU budget for judging one response: over it, a person grades the response.

The readers bound what a response may hold (characters, nesting, exponents, the degree
of a polynomial, the size of a number), so that no single operation can run away; the
budget is the backstop for whatever those bounds let through: ``(f+2)**16`` nested in
itself, a key formula written to hang the grader.  It counts the process's CPU time
(``ITIMER_PROF``, user and system), so a busy machine does not send responses to people.

The budget is interrupted by a signal, which Python only delivers to its main thread:
elsewhere (a thread of an embedding program), or where the platform has no interval
timer, the readers' bounds alone apply.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SECONDS = 1.0  # per response, the key's formulas and code included


class OverBudget(BaseException):
    """A response took more than its CPU budget.  A BaseException, so that no reader's
    ``except Exception`` (which turns a failure into "not right") can swallow it."""


@contextmanager
def cpu(seconds: float = SECONDS) -> Iterator[None]:
    """Raise OverBudget in this block once it has used ``seconds`` of CPU time."""
    if not _can_interrupt() or signal.getitimer(signal.ITIMER_PROF)[0]:
        yield  # no timer here, or already inside a budget: the outer one counts
        return
    previous = signal.signal(signal.SIGPROF, _over)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def _can_interrupt() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _over(signum: int, frame: object) -> None:
    raise OverBudget
