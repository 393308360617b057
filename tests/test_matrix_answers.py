"""Matrix answers: a vector part whose solve() gives a 2-D array.

The key keeps the entries row by row with the grid (rows, columns), the exam prints a
matrix, and every LMS file lays the blanks out as a grid, each blank graded on its own.
The question here multiplies two small integer matrices; the expected values are the
product worked by hand with loops in the test.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.key.schema import check
from generator.kinds import KINDS

QUESTION_TOML = """id = "mine/matmul"
title = "Matrix product"
topic = "linear algebra"

[[parts]]
label = "a"
kind = "vector"
scoring = { rule = "entries" }
points = 6
hint = "a 2 by 3 matrix"
"""
SOLVE = """from __future__ import annotations

from typing import Any

import numpy as np


def sample(rng: np.random.Generator) -> dict[str, Any]:
    return {"A": rng.integers(-3, 4, size=(2, 2)).tolist(),
            "B": rng.integers(-3, 4, size=(2, 3)).tolist()}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    return {"a": np.asarray(params["A"]) @ np.asarray(params["B"])}


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    A, B = params["A"], params["B"]
    return {"a": [[sum(A[i][k] * B[k][j] for k in range(2)) for j in range(3)]
                  for i in range(2)]}
"""
TEMPLATE = r"""\BLOCK{block stem}
$A = \VAR{A}$, $B = \VAR{B}$.
\BLOCK{endblock}
\BLOCK{block a}
What is $AB$?
\BLOCK{endblock}
"""


def by_hand(A: list[list[int]], B: list[list[int]]) -> list[int]:
    """The product row by row, entry by entry."""
    return [sum(A[i][k] * B[k][j] for k in range(2)) for i in range(2) for j in range(3)]


@pytest.fixture
def built(tmp_path: Path, run_cli) -> tuple[dict, Path]:
    folder = tmp_path / "bank" / "mine" / "matmul"
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text(QUESTION_TOML, encoding="utf-8")
    (folder / "solve.py").write_text(SOLVE, encoding="utf-8")
    (folder / "question.tex.j2").write_text(TEMPLATE, encoding="utf-8")
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('name = "m"\ntitle = "M"\n[[questions]]\nid = "mine/matmul"\n',
                         encoding="utf-8")  # fmt: skip
    result = run_cli("--public", "--seed", "2", "--variants", "4", "--bank", tmp_path / "bank",
                     "--blueprint", blueprint, "--out", tmp_path / "out", "--no-pdf",
                     "--lms", "moodle,gift,canvas,qti21,blackboard,csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / "out").iterdir()
    return json.loads((run / "key.json").read_text(encoding="utf-8")), run


def parts(key: dict) -> list[dict]:
    return [v["questions"][0]["parts"][0] for v in key["variants"]]


def test_the_key_keeps_the_matrix_row_by_row_with_its_grid(built):
    key, _ = built
    records = [v.questions[0].parts[0] for v in check(key).variants]  # as grading reads them
    for variant, part, record in zip(key["variants"], parts(key), records, strict=True):
        params = variant["questions"][0]["params"]
        assert part["grid"] == [2, 3]
        assert part["answer"] == by_hand(params["A"], params["B"])
        rows = " \\\\ ".join(" & ".join(str(v) for v in part["answer"][r * 3 : r * 3 + 3])
                             for r in range(2))  # fmt: skip
        assert part["answer_latex"] == f"$\\begin{{pmatrix}} {rows} \\end{{pmatrix}}$"
        right = "; ".join(str(v) for v in part["answer"])
        assert KINDS["vector"].score(record, right) == 1
        one_wrong = "; ".join(str(v + (i == 4)) for i, v in enumerate(part["answer"]))
        assert KINDS["vector"].score(record, one_wrong) == pytest.approx(5 / 6)


def test_gift_and_the_csv_give_every_entry(built):
    key, run = built
    gift = (run / "lms/questions.gift").read_text(encoding="utf-8")
    csv_text = (run / "lms/answer-key.csv").read_text(encoding="utf-8")
    for part in parts(key):
        assert "[" + "; ".join(str(v) for v in part["answer"]) + "]" in csv_text
    # GIFT has no numeric question with several blanks: an essay each, entries named.
    assert gift.count("{####") == 4 and gift.count("row 2, column 3") >= 4


def test_moodle_lays_the_blanks_out_as_a_grid(built):
    key, run = built
    quiz = etree.parse(str(run / "lms/moodle.xml"))
    texts = quiz.xpath("//question[@type='cloze']/questiontext/text/text()")
    assert len(texts) == 4
    for text, part in zip(texts, parts(key), strict=True):
        rows = re.findall(r"<tr>(.*?)</tr>", text)
        assert len(rows) == 2
        cells = [re.findall(r"\{1:NUMERICAL:=(-?\d+):0\}", row) for row in rows]
        assert [int(v) for row in cells for v in row] == part["answer"]
        assert all(len(row) == 3 for row in cells)


def test_canvas_blackboard_and_qti_name_or_place_every_entry(built):
    _, run = built
    with zipfile.ZipFile(run / "lms/canvas-qti12.zip") as archive:
        (items,) = [n for n in archive.namelist() if n.count("/") == 1 and "meta" not in n]
        canvas = archive.read(items).decode()
    assert canvas.count("&lt;tr&gt;") == 2 * 4 and "[b6]" in canvas and "[b7]" not in canvas
    board = "".join(p.read_text(encoding="utf-8") for p in (run / "lms/blackboard").glob("*"))
    assert board.count("<tr>") == 2 * 4 and "[row_2_column_3]" in board
    with zipfile.ZipFile(run / "lms/qti21.zip") as archive:
        qti = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    for name in ("row 1, column 1", "row 2, column 3"):
        assert name in qti
