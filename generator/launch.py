"""The ``generate-exam`` command's first step: Ctrl-C while the libraries load is "Aborted."

Loading numpy, sympy and the rest takes a good part of a second, before the CLI's own
error handling exists; this module imports nothing heavy, so an interrupt during that
time ends like any other: one line and exit status 130, no traceback.
"""

from __future__ import annotations

import sys
from typing import Any


def main() -> Any:
    try:
        from .cli import main as run
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        sys.exit(130)
    return run()
