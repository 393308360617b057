"""docs/tutorial.md, run as a new user would: every command, edit and file, in order.

The page is the script: ```sh blocks are run line by line with bash, a ```diff block after
``<!-- edit: PATH -->`` replaces its ``-`` lines by its ``+`` lines in PATH, and a block
after ``<!-- file: PATH -->`` is saved as PATH.  Then the results the page promises are
checked: the preview, a class whose students drew different questions, the LMS files.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

from .conftest import needs_tex

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
STEP = re.compile(r"(?:<!-- (edit|file): (\S+) -->\n)?```(\w+)\n(.*?)```", re.S)


def steps(text: str) -> list[tuple[str, str, str]]:
    """(action, path, body) for each block the page asks the reader to run or write."""
    found = []
    for action, path, language, body in STEP.findall(text):
        if action:
            found.append((action, path, body))
        elif language == "sh":
            found.append(("run", "", body))
    return found


def apply_edit(path: Path, diff: str) -> None:
    removed = [line[1:] for line in diff.splitlines() if line.startswith("-")]
    added = [line[1:] for line in diff.splitlines() if line.startswith("+")]
    text = path.read_text(encoding="utf-8")
    old, new = "\n".join(removed) + "\n", "\n".join(added) + "\n"
    assert text.count(old) == 1, f"the tutorial's edit does not match {path}:\n{old}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_tutorial(work: Path) -> list[str]:
    """Run every step in ``work``; the output of each command."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "HOME": str(work / "home")}  # fmt: skip
    outputs = []
    for action, path, body in steps(TUTORIAL.read_text(encoding="utf-8")):
        if action == "edit":
            apply_edit(work / path, body)
        elif action == "file":
            (work / path).write_text(body, encoding="utf-8")
        else:
            for command in body.strip().splitlines():
                done = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                      capture_output=True, text=True)  # fmt: skip
                assert done.returncode == 0, f"{command}\n{done.stdout}{done.stderr}"
                outputs.append(done.stdout + done.stderr)
    return outputs


def test_the_tutorial_works_as_written(tmp_path):
    needs_tex()
    page = TUTORIAL.read_text(encoding="utf-8")
    assert [a for a, _, _ in steps(page)].count("run") >= 5
    outputs = run_tutorial(tmp_path)
    assert any("Next:" in out and "preview" in out for out in outputs), "new suggests preview"

    solve = (tmp_path / "my-questions/my-course/sigmoid/solve.py").read_text(encoding="utf-8")
    assert "rng.integers(-3, 4, size=2)" in solve

    preview = tmp_path / "output/preview-my-course-sigmoid"
    assert (preview / "preview.pdf").stat().st_size > 0
    html = (preview / "preview.html").read_text(encoding="utf-8")
    assert all(f"seed {n}" in html.lower() for n in range(12))

    folder = tmp_path / "output/quiz-1-seed7-class"
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    assert key["exam"]["points"] == 4 and not key["exam"]["public"]
    drawn = [tuple(q["id"] for q in v["questions"]) for v in key["variants"]]
    assert len(drawn) == 30 and all(len(d) == 2 for d in drawn)
    assert len(set(drawn)) == 3, "30 copies drawing 2 of 3: every pair occurs"
    for variant in key["variants"]:  # the edited sampler: whole-number weights
        for question in variant["questions"]:
            if question["id"] == "my-course/sigmoid":
                assert all(float(w).is_integer() and -3 <= w <= 3
                           for w in question["params"]["w"])  # fmt: skip
    assert len(list(folder.glob("students/*/exam.pdf"))) == 30

    moodle = etree.parse(str(folder / "lms/moodle.xml"))
    names = moodle.xpath("//question[@type!='category']/name/text/text()")
    assert len(names) == 60, "30 copies, 2 questions of one part each"
    with zipfile.ZipFile(folder / "lms/canvas-qti12.zip") as archive:
        assert "imsmanifest.xml" in archive.namelist()
    assert (tmp_path / "exam-secret.key").exists(), "the secret is made beside the blueprint"
