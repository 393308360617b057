"""What a command loads: each imports what it runs, so that --help and one exam start fast.

Checked by the modules a fresh interpreter holds after the command (never by timing):
``--help`` of every command loads no numeric, PDF or XML library, and a plain exam
draws no PNG figure and so never loads matplotlib.  Figures are drawn only for
``--figures`` or an LMS export that shows questions.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import modules_after

FOLDER = "cs230-midterm-winter-2020-seed42-public"
HEAVY = ("numpy", "sympy", "matplotlib", "lxml", "pikepdf", "msgspec", "fastjsonschema")
COMMANDS = ("build", "check", "config", "preview", "new", "export", "grade", "diff-keys")


def loaded_after(*args: str) -> set[str]:
    """The top-level packages a fresh ``generate-exam ARGS`` has imported when it ends."""
    return {name.split(".")[0] for name in modules_after(*args)}


@pytest.mark.parametrize("command", [(), *((c,) for c in COMMANDS)])
def test_help_loads_no_heavy_library(command):
    assert loaded_after(*command, "--help") & set(HEAVY) == set()


def test_a_plain_exam_loads_no_plotting_pdf_or_xml_library(tmp_path):
    loaded = loaded_after("--public", "--seed", "42", "--no-pdf", "--out", str(tmp_path))
    assert (tmp_path / FOLDER / "key.json").is_file()
    assert {"numpy", "sympy"} <= loaded  # the engine and the formulas do run
    assert loaded & {"matplotlib", "lxml", "pikepdf"} == set()


def run(*args) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          capture_output=True, text=True)  # fmt: skip


@pytest.mark.parametrize(
    "extra, drawn",
    [
        ((), False),
        (("--lms", "csv"), False),  # the answer CSV shows no question
        (("--figures",), True),
        (("--lms", "gift"), True),
        (("--lms", "csv,moodle", "--no-figures"), True),  # an export that shows questions
    ],
)
def test_figures_are_drawn_only_when_asked_for_or_an_export_shows_questions(tmp_path, extra, drawn):
    result = run("--public", "--seed", 42, "--no-pdf", *extra, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / FOLDER
    key = json.loads((folder / "key.json").read_text())
    named = [f for v in key["variants"] for q in v["questions"] for f in q["figures"].values()]
    assert (folder / "figures").is_dir() == drawn
    if drawn:  # the loss curves of question 3, named after the copy's code
        assert named == [f"figures/{key['variants'][0]['variant']}-q3-curves.png"]
        assert (folder / named[0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert named == []
