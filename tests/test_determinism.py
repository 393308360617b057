"""The same seed and version give byte-identical .tex and key.json, even across processes."""

from __future__ import annotations

import os
import subprocess
import sys

FILES = ("exam.tex", "solutions.tex", "key.json")


def generate(out, hash_seed: str):
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "--seed", "42", "--no-pdf", "--out", str(out)],
        check=True,
        env=env,
        capture_output=True,
    )
    folder = out / "cs230-midterm-winter-2020-seed42"
    return {name: (folder / name).read_bytes() for name in FILES}


def test_two_runs_give_identical_files(tmp_path):
    first = generate(tmp_path / "a", "1")
    second = generate(tmp_path / "b", "2")  # a different str-hash salt must not matter
    assert first == second


def test_another_seed_gives_other_files(tmp_path, run_cli):
    run_cli("--seed", "43", "--no-pdf", "--out", tmp_path)
    other = (tmp_path / "cs230-midterm-winter-2020-seed43" / "exam.tex").read_bytes()
    base = generate(tmp_path / "a", "0")["exam.tex"]
    assert other != base
