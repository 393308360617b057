"""`generate-exam --replica`: the seed exam's own values give its official answers, part by part."""

from __future__ import annotations

import json
import math
import subprocess

import pytest
import sympy as sp

from .conftest import SEED_EXAM, needs_tex


@pytest.fixture(scope="module")
def replica(tmp_path_factory):
    needs_tex()
    from click.testing import CliRunner

    from generator.cli import cli

    out = tmp_path_factory.mktemp("replica")
    result = CliRunner().invoke(cli, ["--replica", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = out / "cs230-midterm-winter-2020-replica"
    key = json.loads((folder / "key.json").read_text())
    parts = {
        f"{q['number']}{p['part']}": p for q in key["variants"][0]["questions"] for p in q["parts"]
    }
    solutions = subprocess.run(
        ["pdftotext", str(folder / "solutions.pdf"), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return key, parts, solutions


def test_replica_keeps_the_seed_exam_order(replica):
    key, _, _ = replica
    assert key["exam"]["replica"] is True
    assert [q["id"] for q in key["variants"][0]["questions"]] == list(SEED_EXAM)


def test_question1_official_answers(replica):
    _, parts, solutions = replica
    assert parts["1a"]["answer"] == 300
    assert parts["1b.i"]["answer"] == 300
    assert sum(parts["1d"]["answer"]) == 24161
    assert "24161" in solutions


def test_question2_official_answers(replica):
    _, parts, solutions = replica
    c, d = parts["2c"], parts["2d"]
    assert sp.sympify(c["formula"]["sympy"]).equals(-sp.log(sp.Float("0.1")))  # -log 0.1
    assert c["answer"] == pytest.approx(-math.log(0.1))
    official = -(math.log(0.1) + math.log(0.8) + math.log(0.3)) / 3
    assert d["answer"] == pytest.approx(official)
    assert d["formula"]["latex"].count(r"\log") == 3
    for number in ("0.1", "0.8", "0.3"):
        assert rf"\log{{\left({number} \right)}}" in d["formula"]["latex"]
    assert "log(0.1)" in solutions.replace(" ", "") or "log (0.1)" in solutions


def test_question3_official_answers(replica):
    _, parts, _ = replica
    assert parts["3d"]["answer"] == {"A": "BGD", "B": "MBGD", "C": "SGD"}


def test_question4_official_answers(replica):
    _, parts, _ = replica
    verdicts = [o["correct"] for o in parts["4a"]["options"]]
    assert verdicts == [False, True, True, False]  # (i) F, (ii) T, (iii) T, (iv) F
    assert parts["4e"]["answer"] == 240


def test_question5_official_answers(replica):
    _, parts, _ = replica
    assert parts["5c"]["answer"] == "B"
    assert [o["text"] for o in parts["5c"]["options"]] == [
        "Single student (F1 score 0.20)", "Group of doctors (F1 score 0.88)",
        "Single doctor (F1 score 0.80)",
    ]  # fmt: skip


def test_question6_official_answers(replica):
    _, parts, solutions = replica
    verdicts = [o["correct"] for o in parts["6a"]["options"]]
    assert verdicts == [True, False, False, True]  # (i) T, (ii) F, (iii) F, (iv) T
    assert parts["6b"]["answer"] == [1.01, 1.99, 3.01]
    assert parts["6d"]["answer"] == "B"  # (B) non-saturating cost
    for value in ("1.01", "1.99", "3.01"):
        assert value in solutions


def test_question7_official_answers(replica):
    _, parts, solutions = replica
    assert parts["7c"]["answer"] == [28, 28, 2]
    assert parts["7d"]["answer"] == 152
    assert parts["7e"]["answer"] == 32
    assert parts["7f"]["answer"] == 752
    for text in ("28 \u00d7 28 \u00d7 2", "= 152", "= 32", "= 752"):
        assert text in solutions
