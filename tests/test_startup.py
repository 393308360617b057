"""What a command loads: each imports what it runs, so that --help and one exam start fast.

Checked by the modules a fresh interpreter holds after the command (never by timing):
``--help`` of every command loads no numeric, PDF or XML library.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("numpy", "sympy", "matplotlib", "lxml", "pikepdf", "msgspec", "fastjsonschema")
COMMANDS = ("build", "check", "preview", "new", "export", "grade", "diff-keys")


def loaded_after(*args: str) -> set[str]:
    """The top-level packages a fresh ``generate-exam ARGS`` has imported when it ends."""
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n' + ' '.join(sorted({name.split('.')[0] for name in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                            text=True, check=True)  # fmt: skip
    return set(result.stdout.splitlines()[-1].split())


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_loads_no_heavy_library(command):
    assert loaded_after(*command, "--help") & set(HEAVY) == set()
