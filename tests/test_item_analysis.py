"""Item analysis: statistics checked against numpy and against counts the test arranges.

A class of 40 answers the CS230 midterm so that student k (0..39) gets a numeric part
right when k is at least that part's threshold: the stronger the student, the more parts
right, so difficulty is known per part and every part discriminates.  Choice parts are
answered with a wrong option by the first students, whose named mistakes must be counted.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from generator.grading.item_analysis import pearson, upper_lower
from generator.grading.pipeline import grade_run

STUDENTS = 40
WRONG_CHOICE = 12  # students 0..11 pick a wrong option of every choice part


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from generator.cli import cli

    out = tmp_path_factory.mktemp("analysis")
    result = CliRunner().invoke(cli, ["--public", "--seed", "11", "--variants", str(STUDENTS),
                                      "--no-pdf", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def test_pearson_and_upper_lower_against_numpy_and_by_hand():
    rng = np.random.default_rng(5)
    xs, ys = rng.random(50).tolist(), rng.random(50).tolist()
    assert pearson(xs, ys) == pytest.approx(np.corrcoef(xs, ys)[0, 1], rel=1e-12)
    assert pearson([1, 1, 1], [1, 2, 3]) is None
    # 10 students: 27 % is 3 each side; top three shares 1, 1, 0.5, bottom three 0, 0, 0.5
    totals = list(range(10))
    shares = [0, 0, 0.5, 0.2, 0.4, 0.6, 0.8, 0.5, 1, 1]
    assert upper_lower(totals, shares) == pytest.approx((2.5 - 0.5) / 3)


def plan(run: Path) -> tuple[list[list[str]], dict[str, float], dict[str, int]]:
    """Responses, the difficulty each numeric part must show, and each mistake's count."""
    key = json.loads((run / "key.json").read_text(encoding="utf-8"))
    rows, right, mistakes = [], {}, {}
    for k, variant in enumerate(key["variants"]):
        for question in variant["questions"]:
            for n, part in enumerate(question["parts"]):
                label, kind = part["label"], part["kind"]
                threshold = (7 * n + 3 * question["number"]) % STUDENTS
                if kind in ("number", "integer"):
                    good = k >= threshold
                    text = str(part["answer"]) if good else "123456789"
                    right.setdefault(label, 0)
                    right[label] += good
                elif kind == "choice":
                    wrong = next(o for o in part["options"] if not o["correct"])
                    text = wrong["label"] if k < WRONG_CHOICE else part["answer"]
                    if k < WRONG_CHOICE and wrong["mistake"]:
                        mistakes[wrong["mistake"]] = mistakes.get(wrong["mistake"], 0) + 1
                else:
                    text = "<script>alert(1)</script>" if k == 0 else ""
                rows.append([f"v{variant['copy']}", label, text])
    return rows, {label: n / STUDENTS for label, n in right.items()}, mistakes


def test_the_report_shows_each_parts_difficulty_and_the_mistakes(run, tmp_path):
    rows, difficulty, mistakes = plan(run)
    path = tmp_path / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["student", "label", "response"], *rows])
    grade_run(run, path)
    markdown = (run / "grades/report.md").read_text(encoding="utf-8")
    table = {cells[0]: cells for line in markdown.splitlines() if line.startswith("| ")
             for cells in [[c.strip() for c in line.strip("|").split("|")]]}  # fmt: skip
    assert difficulty, "the exam has numeric parts"
    for label, p in difficulty.items():
        assert table[label][4] == f"{p:.2f}", (label, table[label])
        if 0 < p < 1:
            assert float(table[label][5]) > 0, "stronger students got it right: r > 0"
    assert mistakes, "the bank's choice options name their mistakes"
    html = (run / "grades/report.html").read_text(encoding="utf-8")
    for mistake, n in mistakes.items():
        assert re.search(rf"\b{n} {re.escape(mistake)}", markdown), mistake
    assert html.count('src="data:image/png;base64,') == 2
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_the_report_is_the_same_bytes_each_time(run, tmp_path):
    rows, _, _ = plan(run)
    path = tmp_path / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["student", "label", "response"], *rows])
    grade_run(run, path)
    first = (run / "grades/report.html").read_bytes()
    grade_run(run, path)
    assert (run / "grades/report.html").read_bytes() == first
