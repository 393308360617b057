"""Gradescope's "Download Grades" CSV of an assignment, read as each student's points per
question of their copy: a paper exam scanned into Gradescope and graded there.

Where the format is documented: Gradescope's help pages say how to add a roster (its
columns: a name, or first and last name; a unique email; an SID; sections:
https://guides.gradescope.com/hc/en-us/articles/21926598776333-Adding-Students-and-Staff)
and that an assignment's grades are downloaded from its Review Grades page, but the help
pages found do not list the CSV's columns.  They are taken from exports published with
graders' code and tests, which agree on this layout: ``First Name, Last Name`` (or one
``Name`` column, where the roster gave full names), ``SID``, ``Email``, ``Sections``
(sometimes also ``section_name``), ``Total Score, Max Points, Status, Submission ID,
Submission Time, Lateness (H:M:S), View Count, Submission Count``, then one column per
question of the assignment's outline, ``<number>: <title> (<points> pts)``, a
subquestion numbered ``1.2``, a question without title ``2 (10.0 pts)``, holding the
points the student was given (empty where not graded).  ``Status`` is ``Graded``,
``Ungraded`` or ``Missing`` (no submission: its cells are empty).

What this reader relies on: the header's ``Total Score`` and ``Status`` and at least one
question column tell the report (``recognise``); a student is the roster's whose id or
id-like column (the key keeps them) is the row's ``SID`` or ``Email`` (either may be
absent, not both: names never tell students apart); the question columns, in the order
written, numbered 1, 2, ... as the exam's questions (a question's subquestions ``3.1``,
``3.2`` are added up into question 3), each question's points those of the exam's
question (or with its bonus parts).  Every other column is passed over.  A row whose
``Status`` is ``Missing`` has no submission and is left out.  A question left empty has
no score yet (graded in Gradescope later: grade it there and download the grades again).
Gradescope scores questions, not parts: the item analysis of such a run is per question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.grading.records import MARKS_ONLY, Graded, GradedPart, ResponsesError
from generator.key.answer_csv import answer_text
from generator.key.records import Key, QuestionInfo
from generator.lms import reports

NAME = "Gradescope Download Grades"
QUESTION = re.compile(r"(\d{1,4}(?:\.\d{1,4})*)(?::\s*(.*?))?\s*\((\d{1,6}(?:\.\d{1,6})?) pts?\)",
                      re.DOTALL)  # fmt: skip
POINTS = re.compile(r"-?\d{1,9}(?:\.\d{1,9})?")  # no exponent: every score is finite
ID_COLUMNS = ("sid", "email")
PERSON_COLUMNS = ("first name", "last name", "name", "sid", "email", "sections")
MISSING = "missing"
KIND = MARKS_ONLY  # what the item analysis lists as each row's kind: a whole question
UNGRADED = "not graded in Gradescope yet; grade it there and download the grades again"
AS_WRITTEN = "download the grades again from the assignment's Review Grades page."


@dataclass(frozen=True)
class Column:
    """A question column of the export: where it is, its question and its points."""

    index: int
    number: int  # the question's number: 3 of subquestion 3.2
    points: float


def recognise(header: list[str]) -> bool:
    lower = {h.lower() for h in header}
    return {"total score", "status"} <= lower and any(QUESTION.fullmatch(h) for h in header)


def read(rows: list[list[str]], key: Key, path: str) -> list[Graded]:
    """Each submitted row as its student's copy, a graded part per question."""
    header = rows[0]
    lower = [h.lower() for h in header]
    ids = [i for i, h in enumerate(lower) if h in ID_COLUMNS]
    if not ids:
        raise ResponsesError(
            f"{path}, line 1: no SID or Email column, so no student can be found in the "
            f"roster (names never tell students apart); {AS_WRITTEN}"
        )
    columns = _columns(header, key, path)
    people = reports.people(key.variants)
    if not people:
        raise ResponsesError(
            f"{path}: the run has no roster (its copies are numbered), so Gradescope's "
            "students cannot be told which copy they sat; build the class with --roster (the "
            "roster uploaded to Gradescope) and grade its export against that run."
        )
    by_code = {v.variant: v for v in key.variants}
    status = lower.index("status")
    person = [i for i, h in enumerate(lower) if h in PERSON_COLUMNS]
    seen: dict[str, int] = {}
    graded = []
    for line, row in reports.rows(rows, path):
        where = f"{path}, line {line}"
        if row[status].strip().lower() == MISSING:
            continue
        code = next((c for i in ids if (c := reports.person(people, row[i]))), None)
        if code is None:
            shown = ", ".join(f"{header[i]} '{reports.short(row[i])}'" for i in ids
                              if row[i].strip()) or "no SID or email"  # fmt: skip
            raise ResponsesError(
                f"{where}: no student of this class's roster is {shown}; grade the export "
                "against the run built with the roster uploaded to Gradescope."
            )
        if code in seen:
            raise ResponsesError(
                f"{where}: a second row of the student on line {seen[code]}; keep one."
            )
        seen[code] = line
        variant = by_code[code]
        student = variant.student  # a copy found through the roster has its student
        assert student
        g = Graded(code, student.id, student.name, extra=dict(student.extra),
                   copy_name=variant.name,
                   identity={header[i]: row[i] for i in person})  # fmt: skip
        g.parts = [_question(q, _points(columns, q.number),
                             _score(row, columns, q.number, header, where))
                   for q in variant.questions]  # fmt: skip
        graded.append(g)
    return graded


def _columns(header: list[str], key: Key, path: str) -> list[Column]:
    """The question columns, checked against every copy's questions: the same numbers
    and, per question, the same points."""
    columns = []
    for index, title in enumerate(header):
        found = QUESTION.fullmatch(title)
        if found:
            number = int(found.group(1).split(".")[0])
            columns.append(Column(index, number, float(found.group(3))))
    numbers = list(dict.fromkeys(c.number for c in columns))
    for variant in key.variants:
        wanted = [q.number for q in variant.questions]
        if numbers != wanted:
            raise ResponsesError(
                f"{path}, line 1: the export's questions are numbered "
                f"{_listed(numbers)}, the exam's (exam {key.exam.code}) {_listed(wanted)}; "
                "give the Gradescope assignment's outline one question per exam question "
                "(subquestions are added up), or grade the export against its own run."
            )
        for q in variant.questions:
            points = _points(columns, q.number)
            if not _close(points, q.points) and not _close(points, q.points + q.bonus_points):
                first = next(c for c in columns if c.number == q.number)
                bonus = f" ({q.points + q.bonus_points:g} with its bonus)" if q.bonus_points else ""
                raise ResponsesError(
                    f"{path}, line 1, column '{reports.short(header[first.index])}': question "
                    f"{q.number} is worth {points:g} points there, {q.points:g}{bonus} in the "
                    f"exam (exam {key.exam.code}); set its points in the Gradescope outline "
                    "to the exam's, or grade the export against its own run."
                )
    return columns


def _points(columns: list[Column], number: int) -> float:
    """A question's points in the export: the exam's, or with its bonus parts."""
    return sum(c.points for c in columns if c.number == number)


def _listed(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers)) if numbers else "(none)"


def _close(a: float, b: float) -> bool:
    return abs(a - b) < 1e-6


def _score(row: list[str], columns: list[Column], number: int, header: list[str],
           where: str) -> float | None:  # fmt: skip
    """A question's points: its columns' sum; None while any of them is empty."""
    total = 0.0
    for column in (c for c in columns if c.number == number):
        cell = row[column.index].strip()
        if not cell:
            return None
        if not POINTS.fullmatch(cell):
            raise ResponsesError(
                f"{where}, column '{reports.short(header[column.index])}': "
                f"'{reports.short(cell)}' is not a number of points; {AS_WRITTEN}"
            )
        total += float(cell)
    return round(total, 6)


def _question(question: QuestionInfo, points: float, score: float | None) -> GradedPart:
    """A whole question as one graded part, labelled by its number, out of the points
    its graders scored it out of, its parts' answers as what was expected."""
    expected = "; ".join(f"{p.label} {answer_text(p)}" for p in question.parts)
    return GradedPart(
        label=str(question.number), question=question.id, kind=KIND, points=points,
        bonus=False, response="", score=score, expected=expected,
        reason=UNGRADED if score is None else "",
    )  # fmt: skip
