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
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from generator.cli import cli

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
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
    # the one table picking 2 (of 3) is seats 3 and 4, dealt in two shares; the two tables
    # before it pick 1 of 2 (one two-layer network; softmax or vanishing gradients)
    for number in (3, 4):
        assert f"Question {number}: its table picks 2 of 3" in drawing
    assert "Question 1:" not in drawing and "Question 5:" not in drawing
    assert "Canvas QTI 1.2:\n  A part at a time" in drawing
    assert "Note: Moodle XML: questions 3, 4 each draw from a share" in output
    assert "Note: Canvas QTI 1.2: its quiz draws parts, not questions" in output


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory):
    """The tutorial's quiz: 2 of 3 one-part questions of 2 points, 6 numbered copies."""
    tmp = tmp_path_factory.mktemp("tutorial")
    bank = tmp / "my-questions"
    for name in ("neuron-output", "neuron-bias", "neuron-sum"):
        result = CliRunner().invoke(cli, ["new", f"my-course/{name}", "--into", str(bank)])
        assert result.exit_code == 0, result.output
    blueprint = tmp / "quiz.toml"
    blueprint.write_text(TUTORIAL_QUIZ, encoding="utf-8")
    return build(tmp / "out", "--seed", "7", "--variants", "6", "--bank", str(bank),
                 "--blueprint", str(blueprint), "--lms", "moodle,canvas")  # fmt: skip


def test_the_tutorials_quiz_in_moodle_is_two_seats_of_4_points(tutorial):
    folder, output = tutorial
    rows = quiz(folder)
    seats = [row for row in rows if "(" not in row["label"]]
    assert [row["label"] for row in seats] == ["1", "2"]
    assert sum(Fraction(row["slot_mark_to_set"]) for row in rows) == 4
    # Canvas draws one-part questions whole too, each pick from its share of the table
    assert "Note: Canvas QTI 1.2: its quiz draws parts" not in output
    assert "Note: Canvas QTI 1.2: questions 1, 2 each draw from a share" in output


def test_the_tutorials_quiz_in_canvas_is_two_groups_of_one_question(tutorial):
    """A question of one part is one Canvas item: a group per pick, each drawing one
    question whole from its share of the table, 2 points each, the quiz 4."""
    folder, _ = tutorial
    with zipfile.ZipFile(folder / "lms" / "canvas-qti12.zip") as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".xml") and "/" in n
                   and not n.endswith("assessment_meta.xml")]  # fmt: skip
        root = etree.fromstring(archive.read(name))
    groups = root.findall(f".//{QTI}section[@ident='root_section']/{QTI}section")
    assert len(groups) == 2
    total = 0
    for group in groups:
        assert group.findtext(f".//{QTI}selection_number") == "1"
        total += float(group.findtext(f".//{QTI}points_per_item"))
    assert total == 4
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    drawn = {(q["id"], v["variant"]) for v in key["variants"] for q in v["questions"]}
    items = [i.get("title") for g in groups for i in g.findall(f"{QTI}item")]
    assert len(items) == len(drawn)  # every variant of every question, once


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


def test_a_canvas_quiz_of_whole_questions_is_graded_by_the_questions_drawn(tutorial, tmp_path):
    """Canvas's Student Analysis of the tutorial's quiz, numbered copies, no roster: each
    student drew a question per group from any copy, and is graded under Canvas's id for
    them against each question drawn, numbered as its group."""
    from generator.grading.pipeline import grade_run
    from tests.test_lms_responses import DATA, canvas_answer, canvas_items, write_csv

    folder, _ = tutorial
    key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
    parts = {(v["variant"], p["label"]): p for v in key["variants"]
             for q in v["questions"] for p in q["parts"]}  # fmt: skip
    template = list(csv.reader((DATA / "canvas_student_analysis.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("submitted") + 1]
    items = canvas_items(folder)
    header = [*fixed, *(c for n, it in enumerate(items) for c in (f"{n}: {it['text']}", "1.0"))]
    with zipfile.ZipFile(folder / "lms" / "canvas-qti12.zip") as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".xml") and "/" in n
                   and not n.endswith("assessment_meta.xml")]  # fmt: skip
        root = etree.fromstring(archive.read(name))
    sections = root.findall(f".//{QTI}section[@ident='root_section']/{QTI}section")
    groups = [[i.get("title") for i in g.findall(f"{QTI}item")] for g in sections]
    rows, expected = [[*header, "n correct", "n incorrect", "score"]], {}
    for s, sis in enumerate(["S1", "S2"]):
        first = groups[0][s]  # then an item of another copy: no copy holds the pair
        other = next(t for t in groups[1] if t.split()[1] != first.split()[1])
        chosen = {first: 1, other: 2}
        row = [f"Student {s}", str(100 + s), sis, "Section 1", "12", "SEC-1", "2026-03-12"]
        for item in items:
            if item["title"] not in chosen:
                row += ["", ""]
                continue
            label, code = item["title"].split()
            text, points = canvas_answer(item, parts[code, label], "right" if s == 0 else "wrong")
            row += [text, "0.0"]
            expected[sis, f"{chosen[item['title']]}(a)"] = points
        rows.append([*row, "0", "0", "0.0"])
    grade_run(folder, write_csv(tmp_path / "canvas.csv", rows))
    graded = list(csv.DictReader(io.StringIO((folder / "grades/grades.csv").read_text("utf-8"))))
    got = {(r["student_id"], label): v for r in graded for label, v in r.items()}
    assert sorted(r["student_id"] for r in graded) == ["S1", "S2"]
    for slot, points in expected.items():
        assert float(got[slot]) == pytest.approx(points), slot
    assert got["S1", "1(a)"] and float(got["S1", "1(a)"]) == 2
