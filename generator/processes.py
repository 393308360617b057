"""Worker processes that end with the run: on Ctrl-C, quietly; when the run is killed, too.

The terminal sends Ctrl-C to every process of the run: a worker then exits at once,
without the traceback Python would print.  A run killed outright (SIGKILL, the OOM
killer) cannot tell its workers, so each asks the kernel to kill it when its parent
dies (Linux's PR_SET_PDEATHSIG); otherwise they would go on typesetting, about 100 MB
each, for a run that no longer exists.  pdflatex is started the same way.

Workers are forked on Linux: they start with what the run has drawn and loaded.  Elsewhere
they are spawned, fresh interpreters that load what they need again from plain data (macOS
offers fork, but its system libraries are not safe to fork; Windows has no fork).
``GENERATE_EXAM_START_METHOD=spawn`` (or ``fork``, ``forkserver``) chooses, so that the
spawned path can be run on Linux too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import sys
from functools import cache
from typing import TYPE_CHECKING

from generator.errors import ExamError

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
START_METHOD = "GENERATE_EXAM_START_METHOD"


class StartMethodError(ExamError):
    """The environment asks for a way of starting processes this platform does not have."""


def start_context() -> BaseContext:
    """How worker processes start: :data:`START_METHOD` if set, else fork on Linux
    (forked workers start with the run's bank and draws) and spawn elsewhere."""
    import multiprocessing

    offered = multiprocessing.get_all_start_methods()
    method = os.environ.get(START_METHOD, "").strip()
    if not method:
        method = "fork" if sys.platform.startswith("linux") else "spawn"
    if method not in offered:
        raise StartMethodError(
            f"{START_METHOD}={method}: not a way to start processes here; set it to one of "
            f"{', '.join(sorted(offered))}, or unset it."
        )
    return multiprocessing.get_context(method)


def worker_init() -> None:
    """ProcessPoolExecutor initializer: die with the parent, leave quietly on Ctrl-C."""
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    signal.signal(signal.SIGINT, lambda number, frame: os._exit(128 + number))


def die_with_parent() -> None:
    """Ask the kernel for SIGKILL when the parent ends (Linux only; elsewhere nothing)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


@cache
def dying_with_parent() -> tuple[str, ...]:
    """A command prefix that has the kernel kill a program when its parent ends
    (util-linux's setpriv, on every Linux); empty where there is none."""
    setpriv = shutil.which("setpriv")
    return (setpriv, "--pdeathsig", "KILL", "--") if setpriv else ()
