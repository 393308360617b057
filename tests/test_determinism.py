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


def test_a_figure_png_does_not_depend_on_what_was_drawn_before(tmp_path):
    """The PNG figures reuse one matplotlib figure per layout: a variant's PNG must be the
    same bytes drawn first in a fresh process (``--variant-id``) or after others (a class)."""
    from generator.authoring import figures
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(8)
    exam = build_exam(load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, 4))
    rows = [variant.questions[2].figures["curves"] for variant in exam.variants]
    figures._figure.cache_clear()
    first = figures.write_png(rows[3], tmp_path / "first.png").read_bytes()
    for i, row in enumerate(rows):
        figures.write_png(row, tmp_path / f"{i}.png")
    assert (tmp_path / "3.png").read_bytes() == first
    assert len({(tmp_path / f"{i}.png").read_bytes() for i in range(4)}) == 4
