"""Gradescope: its Download Grades CSV read into the item analysis and the gradebooks, and
a class's roster and grader's key written for it.

The fixtures in tests/data/gradescope/ are written by hand in the layout Gradescope's
exports have (generator/lms/gradescope/report.py says where it is documented): a class
of five built here from ``roster.csv`` (Gradescope's own roster columns), graded in
Gradescope on an outline of the exam's seven questions, question 3 split into two
subquestions.  Émile's row has no SID (found by email) and question 6 not graded yet;
Carol did not submit (``Missing``).  Every expected number below is worked out by hand
from the fixture's cells.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html

from generator.cli import cli
from generator.grading.item_analysis import analyse
from generator.grading.pipeline import ResponsesError, grade_run
from generator.key.read import read_key
from generator.tables import uncell

DATA = Path(__file__).parent / "data" / "gradescope"
# Gradescope lists submissions by name, alphabetically: case and accents aside.
ORDER = ["Ada Lovelace", "bob Brown", "Carol Chen", "Émile Durand", "Zoe Adams"]
SIDS = {"Ada Lovelace": "1001", "bob Brown": "1002", "Carol Chen": "1005",
        "Émile Durand": "1004", "Zoe Adams": "1003"}  # fmt: skip


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gradescope")
    args = ["--public", "--no-pdf", "--seed", "5", "--roster", str(DATA / "roster.csv"),
            "--lms", "gradescope", "--out", str(out)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


@pytest.fixture
def copy_of(run, tmp_path) -> Path:
    """A copy of the run, so that each test's grades/ is its own."""
    target = tmp_path / "run"
    shutil.copytree(run, target)
    return target


def table(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_the_grades_export_feeds_the_item_analysis(copy_of):
    graded = grade_run(copy_of, DATA / "grades.csv")
    assert [g.student_id for g in graded] == ["1001", "1003", "1002", "1004"]  # no Carol
    stats = {p.label: p for p in analyse(read_key(copy_of / "key.json"), graded).parts}
    assert list(stats) == ["1", "2", "3", "4", "5", "6", "7"]
    # Difficulty: the mean score over the students graded, over the question's points.
    assert stats["1"].difficulty == pytest.approx((10 + 6 + 12 + 3) / 4 / 12)
    assert stats["2"].difficulty == pytest.approx((12 + 9 + 7.5 + 4) / 4 / 12)
    # Question 3 is two subquestions there (4 + 7 points), added up.
    assert stats["3"].points == 11
    assert stats["3"].difficulty == pytest.approx(((4 + 5) + (2 + 3) + (3 + 7) + (1 + 2)) / 4 / 11)
    # Émile's question 6 is not graded yet: left out until it is.
    assert stats["6"].difficulty == pytest.approx((6 + 3 + 5) / 3 / 6)
    # Question 7 was scored out of 8 there: its 6 points and its 2 bonus points.
    assert stats["7"].points == 8
    assert stats["7"].difficulty == pytest.approx((8 + 5 + 6 + 2) / 4 / 8)
    assert all(not s.responses for s in stats.values())  # points alone: no responses to list
    grades = {row[1]: row for row in table(copy_of / "grades" / "grades.csv")[1:]}
    assert grades["1001"][-3:] == ["58.0", "60", "0"]
    assert grades["1004"][-3:] == ["13.0", "60", "1"]  # 3+4+1+2+0+1+2, one question waits
    moodle = {row[0]: row for row in table(copy_of / "grades" / "moodle-grades.csv")[1:]}
    assert moodle["1002"][1:4] == ["bob@example.edu", "", "50.5"]
    assert (copy_of / "grades" / "report.html").is_file()
    assert not (copy_of / "grades" / "sheets").exists()  # graded in Gradescope, not here


def _faulty(tmp_path: Path, edit) -> Path:
    path = tmp_path / "faulty.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(edit(table(DATA / "grades.csv")))
    return path


def _fault(copy_of: Path, tmp_path: Path, edit) -> str:
    """The one-sentence error of grading the fixture as ``edit`` changes it."""
    with pytest.raises(ResponsesError) as caught:
        grade_run(copy_of, _faulty(tmp_path, edit))
    assert not (copy_of / "grades").exists()  # nothing half-written
    message = str(caught.value)
    assert "\n" not in message
    return message


def _without(names: set[str]):
    def edit(rows: list[list[str]]) -> list[list[str]]:
        keep = [i for i, h in enumerate(rows[0]) if h not in names]
        return [[row[i] for i in keep] for row in rows]

    return edit


def test_missing_id_columns_are_one_error_line(copy_of, tmp_path):
    path = _faulty(tmp_path, _without({"SID", "Email"}))
    result = subprocess.run([sys.executable, "-m", "generator", "grade", str(copy_of),
                             "--responses", str(path)], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode != 0
    assert result.stderr.startswith(f"Error: {path}, line 1: no SID or Email column")
    assert result.stderr.count("\n") == 1
    assert not (copy_of / "grades").exists()


def test_another_number_of_questions_is_refused(copy_of, tmp_path):
    output = _fault(copy_of, tmp_path, _without({"7: CNNs (8.0 pts)"}))
    assert "the export's questions are numbered 1, 2, 3, 4, 5, 6, the exam's" in output
    assert "1, 2, 3, 4, 5, 6, 7" in output


def test_other_points_are_refused_naming_the_column(copy_of, tmp_path):
    def edit(rows):
        rows[0] = [h.replace("(12.0 pts)", "(10.0 pts)", 1) if h.startswith("1:") else h
                   for h in rows[0]]  # fmt: skip
        return rows

    output = _fault(copy_of, tmp_path, edit)
    assert "column '1: Neural Network (10.0 pts)': question 1 is worth 10 points" in output
    assert "12 in the exam" in output


def test_a_score_that_is_no_number_names_its_cell(copy_of, tmp_path):
    def edit(rows):
        rows[1][rows[0].index("4: Batch Normalization (9.0 pts)")] = "=1+1"
        return rows

    output = _fault(copy_of, tmp_path, edit)
    assert "faulty.csv, line 2, column '4: Batch Normalization (9.0 pts)': '=1+1' is not" in output


def test_an_unknown_student_names_the_line(copy_of, tmp_path):
    def edit(rows):
        rows[2][2], rows[2][3] = "9999", "nobody@example.edu"
        return rows

    output = _fault(copy_of, tmp_path, edit)
    assert "line 3: no student of this class's roster is SID '9999', Email" in output


def test_a_formula_in_a_name_cell_is_never_written_as_one(copy_of):
    grade_run(copy_of, DATA / "hostile-name.csv")
    for path in (copy_of / "grades").glob("*.csv"):
        for row in table(path):
            for value in row:
                assert value[:1] not in ("=", "+", "@") and "HYPERLINK" not in value, path
    moodle = table(copy_of / "grades" / "moodle-grades.csv")
    assert moodle[1][:2] == ["1001", "'@SUM(1+1)"]  # Gradescope's cell, guarded


def test_the_grader_key_lists_each_students_own_answers_in_gradescopes_order(run):
    key = json.loads((run / "key.json").read_text(encoding="utf-8"))
    answers = {(row[0], row[4]): uncell(row[8]) for row in table(run / "answer-key.csv")[1:]}
    copies = {v["student"]["id"]: v["variant"] for v in key["variants"]}
    page = html.fromstring((run / "lms" / "gradescope" / "grader-key.html").read_bytes())
    sections = page.findall(".//section")
    assert len(sections) == len(key["variants"][0]["questions"]) == 7
    for number, section in enumerate(sections, start=1):
        labels = [p["label"] for p in key["variants"][0]["questions"][number - 1]["parts"]]
        names, sid, copy = [], "", ""
        for tr in section.findall(".//tr")[1:]:
            cells = [td.text_content() for td in tr.findall("td")]
            if len(cells) == 7:  # a student's first row
                names.append(cells[1])
                sid, copy = cells[2], cells[3]
                assert copy == copies[sid] and sid == SIDS[cells[1]]
            label, answer = cells[-3], cells[-1]
            assert label in labels
            assert answer == answers[(copy, label)]
        assert names == ORDER
    # Each copy draws its own numbers: 1(a)'s answers are not all one.
    assert len({answers[(c, "1(a)")] for c in copies.values()}) > 1


def test_the_roster_is_in_gradescopes_upload_form(run):
    rows = table(run / "lms" / "gradescope" / "roster.csv")
    assert rows[0] == ["Full Name", "Email", "SID", "Role"]
    assert rows[1:] == [
        ["Ada Lovelace", "ada@example.edu", "1001", "Student"],
        ["bob Brown", "bob@example.edu", "1002", "Student"],
        ["Carol Chen", "carol@example.edu", "1005", "Student"],
        ["Émile Durand", "emile@example.edu", "1004", "Student"],
        ["Zoe Adams", "zoe@example.edu", "1003", "Student"],
    ]


def test_numbered_copies_get_no_gradescope_files(tmp_path):
    args = ["--public", "--no-pdf", "--seed", "5", "--variants", "2", "--lms", "gradescope",
            "--out", str(tmp_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    assert "build the class with --roster" in str(result.exception)
    assert not any(tmp_path.iterdir())  # the build is written whole or not at all


def test_the_summary_says_what_waits_in_gradescope_not_on_sheets(copy_of):
    result = CliRunner().invoke(cli, ["grade", str(copy_of), "--responses",
                                      str(DATA / "grades.csv")])  # fmt: skip
    assert result.exit_code == 0, result.output
    # Émile's question 6 is the one score not given yet (the fixture's empty cell)
    assert "Graded 4 students: mean 39.00 points; 1 score(s) not given yet:" in result.output
    assert "not graded in Gradescope yet" in result.output
    assert "grades/sheets/" not in result.output


def test_a_report_with_every_score_given_says_nothing_of_sheets(copy_of, tmp_path):
    """Émile's empty cell given 4 points: nothing waits, and no sheets are named."""
    rows = list(csv.reader(io.StringIO((DATA / "grades.csv").read_text(encoding="utf-8"))))
    column = rows[0].index("6: Adversarial Attacks and GANs (6.0 pts)")
    for row in rows[1:]:
        if row[column] == "" and row[7] != "Missing":
            row[column] = "4.0"
    path = tmp_path / "all-graded.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = CliRunner().invoke(cli, ["grade", str(copy_of), "--responses", str(path)])
    assert result.exit_code == 0, result.output
    assert "Graded 4 students: mean 40.00 points.\n" in result.output  # (156 + 4) / 4
    assert "sheets" not in result.output


def test_an_email_is_matched_in_any_case(copy_of, tmp_path):
    """Émile's row has no SID: Gradescope's "Emile@Example.EDU" is the roster's
    emile@example.edu (mail ignores case)."""
    rows = list(csv.reader(io.StringIO((DATA / "grades.csv").read_text(encoding="utf-8"))))
    email = rows[0].index("Email")
    (row,) = [r for r in rows[1:] if r[email] == "emile@example.edu"]
    row[email] = "Emile@Example.EDU"
    path = tmp_path / "cased.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    graded = grade_run(copy_of, path)
    assert [g.student_id for g in graded] == ["1001", "1003", "1002", "1004"]


def test_a_pooled_class_grader_key_names_each_students_own_question(tmp_path):
    """dl-core-quiz draws, per copy, one of two questions at its first number: the page
    says both, and each row the one that student's copy printed (key.json says which)."""
    args = ["--public", "--no-pdf", "--seed", "5", "--roster", str(DATA / "roster.csv"),
            "--blueprint", "dl-core-quiz", "--lms", "gradescope",
            "--out", str(tmp_path)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    printed = {v.student.id: {q.number: q.title for q in v.questions}
               for v in read_key(folder / "key.json").variants}  # fmt: skip
    first = {titles[1] for titles in printed.values()}
    assert len(first) == 2  # this seed's five copies draw both
    page = (folder / "lms" / "gradescope" / "grader-key.html").read_text(encoding="utf-8")
    section = page.split('<section id="question-1">')[1].split("</section>")[0]
    assert f"question 1, {' or '.join(sorted(first))} (4 points)" in section
    rows = re.findall(r'<td rowspan="\d+">(\d{4})</td><td rowspan="\d+">[0-9a-f]{12}</td>'
                      r'<td rowspan="\d+">([^<]+)</td>', section)  # fmt: skip
    assert sorted(rows) == sorted((sid, printed[sid][1]) for sid in SIDS.values())
