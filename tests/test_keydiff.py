"""diff-keys: after a fix to the bank, exactly the copies and parts whose grading changed.

The old run is built from a question with a deliberate bug (it reads the bias b as |b|,
in both of its computations), the new one from the fixed question, with the same seed
and secret: the copies that must change are those whose drawn b is negative, read from
the key's own parameters.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.bank.scaffold import new_question
from generator.grading.regrade import regrade
from generator.key.diff import KeyDiffError, diff_runs

from .conftest import write_blueprint

# A bug in the answer's formula, in solve() and closed_form() alike (the draws untouched).
BUG = [('np.asarray(params["x"]) + params["b"]', 'np.asarray(params["x"]) + abs(params["b"])'),
       ('in pairs) + params["b"]', 'in pairs) + abs(params["b"])')]  # fmt: skip


def build(tmp_path: Path, run_cli, name: str, edits: dict[str, list[tuple[str, str]]], *,
          seed: int = 8) -> Path:  # fmt: skip
    bank = tmp_path / name / "bank"
    folder = new_question("mine/neuron", bank)
    for file, changes in edits.items():
        path = folder / file
        text = path.read_text(encoding="utf-8")
        for old, new in changes:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    blueprint = write_blueprint(tmp_path / name / "bp.toml", ["mine/neuron"], name="quiz")
    out = tmp_path / name / "out"
    result = run_cli("--public", "--seed", seed, "--variants", 24, "--bank", bank,
                     "--blueprint", blueprint, "--out", out, "--no-pdf")  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = out.iterdir()
    return run


def key(run: Path) -> dict:
    return json.loads((run / "key.json").read_text(encoding="utf-8"))


def test_a_fixed_answer_lists_exactly_the_copies_it_changes(tmp_path, run_cli):
    old = build(tmp_path, run_cli, "old", {"solve.py": BUG})
    new = build(tmp_path, run_cli, "new", {})
    negative = {v["variant"] for v in key(new)["variants"]
                if v["questions"][0]["params"]["b"] < 0}  # fmt: skip
    assert 0 < len(negative) < 24, "seed 8 draws both signs"
    changes = diff_runs(old, new)
    assert {c.variant for c in changes} == negative
    assert {(c.label, c.field) for c in changes} == {("1(a)", "answer")}
    by_variant = {v["variant"]: v for v in key(new)["variants"]}
    for c in changes:  # the new answer is the sigmoid of the right z, worked here
        params = by_variant[c.variant]["questions"][0]["params"]
        z = sum(w * x for w, x in zip(params["w"], params["x"], strict=True)) + params["b"]
        assert c.new == pytest.approx(1 / (1 + 2.718281828459045**-z), rel=1e-9)
        assert c.old != c.new

    printed = run_cli("diff-keys", old, new)
    assert printed.exit_code == 0
    assert printed.output.strip().endswith(
        f"{len(negative)} copies changed, in 1 part(s): 1(a) in {len(negative)}."
    )
    table = list(csv.DictReader(io.StringIO(run_cli("diff-keys", old, new, "--csv").output)))
    assert {row["variant"] for row in table} == negative and len(table) == len(negative)


def test_a_changed_tolerance_changes_every_copy(tmp_path, run_cli):
    old = build(tmp_path, run_cli, "old", {})
    new = build(tmp_path, run_cli, "new", {"question.toml": [("abs = 0.01", "abs = 0.02")]})
    changes = diff_runs(old, new)
    assert len(changes) == 24 and {c.field for c in changes} == {"tolerance"}
    assert all(c.old["abs"] == 0.01 and c.new["abs"] == 0.02 for c in changes)


def test_the_same_build_twice_changes_nothing(tmp_path, run_cli):
    old = build(tmp_path, run_cli, "old", {})
    new = build(tmp_path, run_cli, "new", {"question.tex.j2": [("It\nreceives", "It\ngets")]})
    assert diff_runs(old, new) == [], "a reworded text is not a change of key"
    assert "No graded field changed" in run_cli("diff-keys", old, new).output


def test_runs_of_other_exams_are_refused(tmp_path, run_cli):
    old = build(tmp_path, run_cli, "old", {})
    other = build(tmp_path, run_cli, "other", {}, seed=9)
    with pytest.raises(KeyDiffError, match="are not runs of the same exam"):
        diff_runs(old, other)


def test_regrading_responses_lists_the_scores_that_moved(tmp_path, run_cli):
    """Every student answers 1(a) with the fixed key's answer: exactly those whose copy the
    fix changed move from 0 to 2 points; a student whose answer the old key accepted and
    the new one does not would move down (here: nobody)."""
    old = build(tmp_path, run_cli, "old", {"solve.py": BUG})
    new = build(tmp_path, run_cli, "new", {})
    rows = ["student,label,response"]
    rows += [f"v{v['copy']},1(a),{v['questions'][0]['parts'][0]['answer']}"
             for v in key(new)["variants"]]  # fmt: skip
    responses = tmp_path / "responses.csv"
    responses.write_text("\n".join(rows) + "\n", encoding="utf-8")
    negative = {v["variant"] for v in key(new)["variants"]
                if v["questions"][0]["params"]["b"] < 0}  # fmt: skip
    moved = regrade(old, new, responses)
    assert {m.variant for m in moved} == negative
    assert all(m.old == 0 and m.new == 2 and m.new_total == m.old_total + 2 for m in moved)
    printed = run_cli("diff-keys", old, new, "--responses", responses)
    assert printed.output.strip().endswith(
        f"{len(negative)} score(s) of {len(negative)} student(s) changed."
    )
    table = list(csv.DictReader(io.StringIO(
        run_cli("diff-keys", old, new, "--responses", responses, "--csv").output)))  # fmt: skip
    assert {row["variant"] for row in table} == negative
