"""``--lms gradescope``: what a class graded in Gradescope needs from us, in
``lms/gradescope/``: the roster to upload (``roster.csv``) and the grader's key
(``grader-key.html``).

The roster is in the form Gradescope's help page asks for
(https://guides.gradescope.com/hc/en-us/articles/21926598776333-Adding-Students-and-Staff:
a header row, a name in one column, a unique email per member, an SID): ``Full Name``,
``Email``, ``SID``, and ``Role`` (``Student``), matched to Gradescope's fields in its
upload dialog.  The SID is the roster's student id, which ``grade`` finds students by in
the Download Grades export; the email the roster's email column (a column named
``email`` or ``email address``), which Gradescope requires.

The grader's key: one page per question (each starts a printed page), a row per student
in the order Gradescope lists the submissions of an assignment, with that student's own
answer to every part of the question (their copy draws its own numbers).  The order is
an assumption, said on the page: Gradescope's Grade Submissions lists submissions by
student name, alphabetically; the key sorts by the roster's full name, letters compared
without regard to case or accents, then by SID.  A grader scoring question 3 across the
class reads its page top to bottom, beside the submissions.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from generator.key.answer_csv import answer_text
from generator.key.records import Key, StudentInfo, VariantInfo
from generator.lms import ExportError
from generator.pages import page_environment
from generator.tables import csv_text

FOLDER = "gradescope"
ROSTER = "roster.csv"
KEY = "grader-key.html"
ROSTER_COLUMNS = ("Full Name", "Email", "SID", "Role")
ROLE = "Student"
EMAIL_COLUMNS = ("email", "email address")
ORDER = (
    "Students are listed as Gradescope lists an assignment's submissions by default: by "
    "name, alphabetically (here by the roster's full name, ignoring case and accents, "
    "then by SID)."
)


@dataclass(frozen=True)
class Row:
    """One student's answers to one question."""

    name: str
    sid: str
    copy: str
    answers: list[tuple[str, str, str]]  # (label, points, answer)
    question: str = ""  # the question's title, where copies draw different ones here


@dataclass(frozen=True)
class Page:
    number: int
    title: str  # the titles of the questions drawn at this number, "A or B" for a pool
    points: str
    rows: list[Row]
    drawn: bool = False  # copies draw different questions here: each row names its own


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """``roster.csv`` and ``grader-key.html`` into ``out/gradescope/``."""
    students = _students(key)
    folder = out / FOLDER
    folder.mkdir(exist_ok=True)
    roster, page = folder / ROSTER, folder / KEY
    roster.write_text(roster_csv(students), encoding="utf-8")
    page.write_text(grader_key_html(key, students), encoding="utf-8")
    return [roster, page]


def _students(key: Key) -> list[tuple[StudentInfo, VariantInfo]]:
    """The class's students with their copies, in Gradescope's order; refused for copies
    without a roster (Gradescope lists students, and could not tell them apart)."""
    pairs = [(v.student, v) for v in key.variants if v.student]
    if len(pairs) != len(key.variants):
        raise ExportError(
            "--lms gradescope: the run has copies without a student (numbered copies); "
            "Gradescope lists submissions by student: build the class with --roster."
        )
    return sorted(pairs, key=lambda pair: (_sort_key(pair[0].name), pair[0].id))


def _sort_key(name: str) -> str:
    """A name as compared alphabetically: without accents, case folded."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def email(student: StudentInfo) -> str:
    folded = {k.strip().lower(): v.strip() for k, v in student.extra.items()}
    return next((folded[c] for c in EMAIL_COLUMNS if folded.get(c)), "")


def roster_csv(students: list[tuple[StudentInfo, VariantInfo]]) -> str:
    """Gradescope's roster upload: a row per student; refused where one has no email."""
    missing = next((s for s, _ in students if not email(s)), None)
    if missing is not None:
        raise ExportError(
            f"--lms gradescope: the roster gives no email for {missing.id}; Gradescope "
            "requires one per student: add an Email column to the roster and build again."
        )
    return csv_text([(s.name, email(s), s.id, ROLE) for s, _ in students], ROSTER_COLUMNS)


def grader_key_html(key: Key, students: list[tuple[StudentInfo, VariantInfo]]) -> str:
    """One page per question, a row per student in Gradescope's order."""
    first = key.variants[0]
    pages = []
    for q in first.questions:  # a pool's questions are worth the same: the page's points
        rows = []
        for student, variant in students:
            question = next(x for x in variant.questions if x.number == q.number)
            answers = [(p.label, f"{p.points:g}" + (" bonus" if p.bonus else ""),
                        answer_text(p)) for p in question.parts]  # fmt: skip
            rows.append(Row(student.name, student.id, variant.variant, answers, question.title))
        titles = sorted({row.question for row in rows})
        pages.append(Page(q.number, " or ".join(titles), f"{q.points:g}", rows,
                          drawn=len(titles) > 1))  # fmt: skip
    template = page_environment().get_template("gradescope-key.html.j2")
    return template.render(title=key.exam.title, code=key.exam.code, order=ORDER, pages=pages)
