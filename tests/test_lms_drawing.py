"""How each LMS quiz draws the questions, against the paper copies (lms/drawing.py).

A paper copy prints whole questions; moodle.xml draws them whole (a seat per question),
the part-by-part formats cannot, and the export says so.  Expected values come from the
blueprints as written: dl-core-quiz picks 8 questions of 4 points (32), the tutorial's
quiz 2 of 3 questions of 2 points (4).
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

TUTORIAL_QUIZ = """name = "quiz-1"
title = "Quiz 1"
course = "My Course"
points = 4

[[questions]]
pick = 2
topic = "my-course"
"""


def build(out: Path, *args: str) -> tuple[Path, str]:
    result = CliRunner().invoke(cli, ["--public", "--no-pdf", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder, result.output


def quiz(folder: Path) -> list[dict[str, str]]:
    text = (folder / "lms" / "slot-marks.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def dl_core(tmp_path_factory):
    out = tmp_path_factory.mktemp("dl-core-quiz")
    return build(out, "--seed", "3", "--blueprint", "dl-core-quiz", "--variants", "20",
                 "--lms", "moodle,canvas")  # fmt: skip


def test_dl_core_quiz_in_moodle_is_8_questions_of_32_points(dl_core):
    folder, _ = dl_core
    rows = quiz(folder)
    assert [row["label"] for row in rows] == [str(n) for n in range(1, 9)]  # no written part
    assert sum(Fraction(row["slot_mark_to_set"]) for row in rows) == 32
    assert all(row["slot_mark_to_set"] == "4" for row in rows)


def test_the_export_says_how_each_quiz_draws(dl_core):
    folder, output = dl_core
    notes = (folder / "lms" / "scoring-notes.txt").read_text(encoding="utf-8")
    drawing = notes[notes.index("How each quiz draws the questions") :]
    assert "Moodle XML:\n  Whole questions" in drawing
    # the tables picking 2 (of 4, of 3) are the first four seats, dealt in two shares each
    for number in (1, 2, 3, 4):
        assert f"Question {number}: its table picks 2 of" in drawing
    assert "Question 5:" not in drawing
    assert "Canvas QTI 1.2:\n  A part at a time" in drawing
    assert "Note: Moodle XML: questions 1, 2, 3, 4 each draw from a share" in output
    assert "Note: Canvas QTI 1.2: its quiz draws parts, not questions" in output


def test_the_tutorials_quiz_in_moodle_is_two_seats_of_4_points(tmp_path):
    bank = tmp_path / "my-questions"
    for name in ("neuron-output", "neuron-bias", "neuron-sum"):
        result = CliRunner().invoke(cli, ["new", f"my-course/{name}", "--into", str(bank)])
        assert result.exit_code == 0, result.output
    blueprint = tmp_path / "quiz.toml"
    blueprint.write_text(TUTORIAL_QUIZ, encoding="utf-8")
    folder, _ = build(tmp_path / "out", "--seed", "7", "--variants", "6", "--bank", str(bank),
                      "--blueprint", str(blueprint), "--lms", "moodle")  # fmt: skip
    rows = quiz(folder)
    seats = [row for row in rows if "(" not in row["label"]]
    assert [row["label"] for row in seats] == ["1", "2"]
    assert sum(Fraction(row["slot_mark_to_set"]) for row in rows) == 4


def test_an_exam_without_picks_is_drawn_whole_with_no_note(tmp_path):
    folder, output = build(tmp_path, "--seed", "42", "--variants", "3", "--lms", "moodle")
    assert "Note:" not in output
    rows = quiz(folder)
    assert [row["label"] for row in rows if "(" not in row["label"]] == [
        str(n) for n in range(1, 8)
    ]


def test_a_question_without_a_blank_is_an_essay_that_draws_its_variant(tmp_path):
    """A question whose parts are all written has no blank for a cloze (Moodle refuses a
    cloze without one): each variant is an essay holding the whole question, whose box
    answers its first part; its seat is worth that part, and grade reads the variant from
    its text and sends the answer to a person."""
    from generator.grading.pipeline import grade_run
    from tests.test_lms_responses import DATA, _drawn, moodle_slots, write_csv

    bank = tmp_path / "bank"
    for qid, kind in (("essay/why", "text"), ("essay/num", "number")):
        result = CliRunner().invoke(cli, ["new", qid, "--kind", kind, "--into", str(bank)])
        assert result.exit_code == 0, result.output
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('name = "t"\ntitle = "T"\n[[questions]]\nid = "essay/why"\n'
                         '[[questions]]\nid = "essay/num"\n', encoding="utf-8")  # fmt: skip
    folder, _ = build(tmp_path / "out", "--seed", "1", "--variants", "3", "--bank", str(bank),
                      "--blueprint", str(blueprint), "--lms", "moodle")  # fmt: skip
    rows = quiz(folder)
    assert [(r["label"], r["slot_mark_to_set"]) for r in rows] == [("1", "1"), ("2", "2")]
    slots = moodle_slots(folder)
    assert {q["type"] for q in slots[0]} == {"essay"} and {q["type"] for q in slots[1]} == {"cloze"}
    template = list(csv.reader((DATA / "moodle_responses.csv").open(encoding="utf-8")))
    fixed = [h if not h.startswith("Grade/") else "Grade/3.00"
             for h in template[0][: template[0].index("Question 1")]]  # fmt: skip
    header = [*fixed, "Question 1", "Response 1", "Question 2", "Response 2"]
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    first, second = key["variants"][0], key["variants"][1]
    answer = second["questions"][1]["parts"][0]["answer"]
    times = ["12 March 2026  10:00 AM", "12 March 2026  10:41 AM", "41 mins 7 secs"]
    row = ["Lee", "Ann", "ann@example.edu", "Finished", *times, "3.00",
           _drawn(slots[0], first["variant"])["summary"], "Because it saturates.",
           _drawn(slots[1], second["variant"])["summary"], f"part 1: {answer}"]  # fmt: skip
    grade_run(folder, write_csv(tmp_path / "moodle.csv", [header, row]))
    (graded,) = csv.DictReader(io.StringIO((folder / "grades/grades.csv").read_text("utf-8")))
    assert graded["1(a)"] == ""  # a person reads it
    assert float(graded["2(a)"]) == 2  # the second copy's variant, drawn: its answer is right
