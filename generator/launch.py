"""The ``generate-exam`` command's first and last steps: a quiet Ctrl-C, and a quick exit.

The CLI's own error handling exists only once click and the CLI module are loaded; this
module imports nothing, so an interrupt during that time ends like any other: one line
and exit status 130, no traceback.  (numpy, sympy and the rest load later, inside the
command that uses them, where the CLI's handling already holds.)

At the end, every object left is frozen out of the garbage collector's reach: Python's
exit would otherwise collect and free sympy's and numpy's millions of objects one by one,
0.1 to 0.2 s of a 1-second exam, for memory the operating system takes back at once.
Files and folders are closed and renamed before the command returns, and ``atexit``
handlers still run.  Only the process that runs the command does this: a program that
calls :func:`generator.cli.main` keeps its collector.
"""

from __future__ import annotations

import gc
import sys
from typing import Any


def main() -> Any:
    try:
        from generator.cli import main as run
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    try:
        return run()
    finally:
        gc.freeze()
