"""A course folder's exam.toml: build, export and grade with no flag beyond --seed.

Each test makes a course as an instructor would: a question written by ``generate-exam new
my-course/q1 --into bank``, a blueprint of that question, and an exam.toml naming the bank,
the blueprint, the LMS formats, the secret and the output folder.  Commands run in a
subfolder of the course, as a fresh process, with no GENERATE_EXAM_* variable but those a
test sets.  Expected values come from the files the test wrote (the folders it named) and,
for the grade, from the question's formula worked out here.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import needs_tex

RUN = "my-midterm-seed5"
EXAM_TOML = """\
bank = ["bank"]
blueprint = "midterm.toml"
lms = ["canvas", "csv"]
secret-file = "private/course.key"
out = "exams"
"""


def generate_exam(*args: object, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``generate-exam ARGS`` in ``cwd``, with only the GENERATE_EXAM_* variables given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENERATE_EXAM_")}
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          env={**clean, **env}, capture_output=True, text=True)  # fmt: skip


@pytest.fixture
def course(tmp_path) -> Path:
    """A course folder with its own bank, blueprint, private folder and exam.toml."""
    root = tmp_path / "course"
    (root / "notes").mkdir(parents=True)  # commands run here, below the exam.toml
    made = generate_exam("new", "my-course/q1", "--into", "bank", cwd=root)
    assert made.returncode == 0, made.stderr
    (root / "midterm.toml").write_text(
        'name = "my-midterm"\ntitle = "My Midterm"\n[[questions]]\nid = "my-course/q1"\n',
        encoding="utf-8",
    )
    (root / "private").mkdir()
    (root / "exam.toml").write_text(EXAM_TOML, encoding="utf-8")
    return root


def sigmoid_of(params: dict) -> float:
    """The scaffold's question: a neuron's output sigmoid(w . x + b), worked out here."""
    z = sum(w * x for w, x in zip(params["w"], params["x"], strict=True)) + params["b"]
    return 1 / (1 + math.exp(-z))


def test_a_course_folder_builds_exports_and_grades_with_only_the_seed(course):
    needs_tex()
    notes = course / "notes"
    built = generate_exam("--seed", 5, cwd=notes)
    assert built.returncode == 0, built.stderr
    run = course / "exams" / RUN  # the configured out, read from the course folder
    assert (run / "exam.pdf").stat().st_size > 0
    assert sorted(p.name for p in (run / "lms").iterdir()) == [
        "answer-key.csv", "canvas-qti12.zip", "scoring-notes.txt"]  # fmt: skip
    secret = course / "private" / "course.key"  # the configured secret, made on first use
    assert secret.stat().st_mode & 0o777 == 0o600
    assert not (course / "exam-secret.key").exists()  # not the default beside the blueprint
    assert not (notes / "output").exists()

    shutil.rmtree(run / "lms")
    exported = generate_exam("export", run, cwd=notes)  # --lms from exam.toml
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (run / "lms").iterdir()) == [
        "answer-key.csv", "canvas-qti12.zip", "scoring-notes.txt"]  # fmt: skip

    (variant,) = json.loads((run / "key.json").read_text(encoding="utf-8"))["variants"]
    (question,) = variant["questions"]
    answer = sigmoid_of(question["params"])
    responses = course / "responses.csv"
    responses.write_text(f"student,label,response\nv0,1(a),{answer:.3f}\n", encoding="utf-8")
    graded = generate_exam("grade", run, "--responses", responses, cwd=notes)
    assert graded.returncode == 0, graded.stderr
    header, row = (run / "grades" / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["total"] == "2.0"


def test_the_same_course_in_pyproject_toml(course):
    (course / "exam.toml").unlink()
    (course / "pyproject.toml").write_text(
        '[project]\nname = "my-course"\n\n[tool.generate-exam]\n' + EXAM_TOML, encoding="utf-8"
    )
    found = generate_exam("config", "--path", cwd=course / "notes")
    assert found.stdout == f"{course / 'pyproject.toml'}\n"
    built = generate_exam("--seed", 5, "--no-pdf", cwd=course / "notes")
    assert built.returncode == 0, built.stderr
    assert (course / "exams" / RUN / "key.json").is_file()


def test_a_variable_beats_the_file_and_a_flag_beats_the_variable(course):
    notes = course / "notes"
    by_env = generate_exam("--seed", 5, "--no-pdf", cwd=notes, GENERATE_EXAM_OUT="env-out")
    assert by_env.returncode == 0, by_env.stderr
    assert (notes / "env-out" / RUN).is_dir()  # a variable's path: from the current folder
    assert not (course / "exams").exists()
    by_flag = generate_exam("--seed", 5, "--no-pdf", "--out", "flag-out", cwd=notes,
                            GENERATE_EXAM_OUT="env-out")  # fmt: skip
    assert by_flag.returncode == 0, by_flag.stderr
    assert (notes / "flag-out" / RUN).is_dir()


def test_a_bank_flag_replaces_the_configured_banks(course):
    (course / "other").mkdir()  # an empty bank: my-course/q1 is only in the configured one
    built = generate_exam("--seed", 5, "--no-pdf", "--bank", course / "other", cwd=course)
    assert built.returncode == 1
    assert "unknown id 'my-course/q1'" in built.stderr
    assert not (course / "exams").exists()


def test_config_shows_each_setting_and_where_it_came_from(course):
    shown = generate_exam("config", "--out", "flag-out", cwd=course / "notes",
                          GENERATE_EXAM_LMS="gift, moodle")  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    origin = {}
    for line in shown.stdout.splitlines()[1:]:
        where, key, value = re.fullmatch(r"(\S.*?) {2,}([a-z-]+) = (.*)", line).groups()
        origin[key] = (where, value)
    assert shown.stdout.splitlines()[0] == f"# configuration file: {course / 'exam.toml'}"
    in_file = f"file:{course / 'exam.toml'}"
    assert origin == {
        "bank": (in_file, str(course / "bank")),
        "templates": ("default", "(none: the shipped layout)"),
        "blueprint": (in_file, str(course / "midterm.toml")),
        "lms": ("env:GENERATE_EXAM_LMS", "gift,moodle"),
        "secret-file": (in_file, str(course / "private" / "course.key")),
        "out": ("command line", str(course / "notes" / "flag-out")),
    }


@pytest.mark.parametrize(
    "line, said",
    [
        ('bnak = ["bank"]', "unknown key 'bnak'; did you mean 'bank'? Known keys: bank, "
         "templates, blueprint, lms, secret-file, out."),
        ('templates = "layout"', "'templates' names {course}/layout: no such folder"),
        ('bank = ["bank", "bank2"]', "'bank' names {course}/bank2: no such folder"),
        ('lms = "canvas,blackbored"', "'lms': unknown LMS format 'blackbored'"),
        ("out = 3", "'out' must be a text"),
        ('blueprint = "final.toml"', "'blueprint' names {course}/final.toml: no such file"),
        ('secret-file = "nowhere/x.key"', "'secret-file' names {course}/nowhere/x.key: its folder "
         "{course}/nowhere does not exist"),
        ("lms = [", "not valid TOML"),
        ('name = "midterm"', "a blueprint, but exam.toml is the course configuration file"),
    ],
)  # fmt: skip
def test_a_bad_exam_toml_is_one_error_line_naming_file_and_key(course, line, said):
    path = course / "exam.toml"
    path.write_text(line + "\n", encoding="utf-8")
    built = generate_exam("--seed", 5, "--no-pdf", cwd=course / "notes")
    assert built.returncode == 1
    assert built.stderr.startswith(f"Error: {path}: {said.format(course=course)}")
    assert built.stderr.count("\n") == 1, built.stderr
    assert not (course / "exams").exists()


def test_a_bad_variable_names_the_variable(course):
    built = generate_exam("--seed", 5, "--no-pdf", cwd=course, GENERATE_EXAM_BANK="bank:nope")
    assert built.returncode == 1
    assert built.stderr.startswith(f"Error: environment variable GENERATE_EXAM_BANK names "
                                   f"{course / 'nope'}: no such folder")  # fmt: skip


def test_the_search_stops_at_the_repository_top(course):
    inner = course / "notes" / "repo"
    (inner / ".git").mkdir(parents=True)
    assert generate_exam("config", "--path", cwd=inner).returncode == 1  # exam.toml is above
    assert generate_exam("config", "--path", cwd=inner).stdout == ""
    (inner / "exam.toml").write_text('out = "x"\n', encoding="utf-8")
    assert generate_exam("config", "--path", cwd=inner / ".git").stdout == (
        f"{inner / 'exam.toml'}\n")  # fmt: skip


def test_a_command_that_takes_no_setting_reads_no_file(course):
    (course / "exam.toml").write_text("bnak = [\n", encoding="utf-8")  # broken twice over
    made = generate_exam("new", "my-course/q2", "--into", "bank", cwd=course / "notes")
    assert made.returncode == 0, made.stderr
    assert (course / "notes" / "bank" / "my-course" / "q2" / "question.toml").is_file()
