"""The ``generate-exam`` command's first step: Ctrl-C while the CLI loads is "Aborted."

The CLI's own error handling exists only once click and the CLI module are loaded; this
module imports nothing, so an interrupt during that time ends like any other: one line
and exit status 130, no traceback.  (numpy, sympy and the rest load later, inside the
command that uses them, where the CLI's handling already holds.)
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
