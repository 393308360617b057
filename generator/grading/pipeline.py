"""``generate-exam grade RUN --responses FILE``: each student against their own copy.

Responses come as a CSV in one of these layouts, told apart by the header (in
:func:`read_responses` alone): Canvas's quiz Student Analysis report and Moodle's quiz
Responses report (:mod:`generator.lms_responses`), or


- long: one row per student and part, columns ``student``, ``label`` (or ``part``) and
  ``response``;
- wide: one row per student, a ``student`` column and one column per printed part label
  (``1(a)``, ``2(b)(ii)``).

A student is named by their id (a roster's class), by the copy's code printed on the
pages, or by ``v<copy>`` (a class of numbered copies).  Each response is scored by its
part's answer kind (:meth:`generator.kinds.Kind.score`), the rule the LMS files promise;
formulas by equivalence (:mod:`generator.formula_grading`), code by running it in a
restricted interpreter (:mod:`generator.code_grading`); the parts people grade (text, and
code whose skeleton the grader cannot run) get no score and are listed for a grader.
The grades are written complete into ``RUN/grades/`` or not at all, with the Canvas and
Moodle gradebook imports, a feedback page per student (:mod:`generator.gradebook`) and
the item analysis (:mod:`generator.item_analysis`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from generator.files import read_text
from generator.grading import item_analysis, sheets
from generator.grading.gradebook import write_gradebooks
from generator.grading.records import Response, ResponsesError
from generator.key.answer_csv import answer_text
from generator.key.read import read_key
from generator.kinds import KINDS
from generator.lms.reports import REPORTS, Report
from generator.staging import staging
from generator.tables import cell

__all__ = ["Graded", "Response", "ResponsesError", "grade", "grade_run", "read_responses"]

GRADES_DIR = "grades"
MAX_RESPONSES_BYTES = 64 * 2**20
STUDENT_COLUMNS = ("student", "student_id", "id", "variant")
LABEL_COLUMNS = ("label", "part")
RESPONSE_COLUMN = "response"


@dataclass
class Graded:
    """One copy's parts: points earned (None: to grade by hand) and what was answered."""

    variant: str
    student_id: str
    student_name: str
    parts: list[dict[str, Any]] = field(default_factory=list)
    identity: dict[str, str] = field(default_factory=dict)  # the LMS's user columns, if any
    extra: dict[str, str] = field(default_factory=dict)  # the roster's other columns
    copy_name: str = ""  # v<copy>, or the code: how a class without roster names it

    @property
    def total(self) -> float:
        return sum(p["score"] or 0 for p in self.parts)

    @property
    def pending(self) -> int:
        return sum(p["score"] is None for p in self.parts)


def grade_run(run: Path, responses_path: Path, *, force: bool = False,
              canvas_assignment: str | None = None) -> list[Graded]:  # fmt: skip
    """Grade ``responses_path`` against ``run``'s key; write ``run/grades/``: grades.csv,
    feedback.csv, the Canvas and Moodle gradebook imports, feedback/ pages, the item
    analysis and sheets/ for the parts people grade (their filled-in scores read back)."""
    key = read_key(run / "key.json")
    responses = read_responses(responses_path, key)
    graded = grade(key, responses, where=str(responses_path))
    sheets.apply(graded, sheets.read_scores(run / GRADES_DIR / sheets.SHEETS_DIR, graded))
    with staging(run / GRADES_DIR, force=force) as tmp:
        sheets.write_sheets(tmp / sheets.SHEETS_DIR, key, graded)
        (tmp / "grades.csv").write_text(grades_csv(key, graded), encoding="utf-8")
        (tmp / "feedback.csv").write_text(feedback_csv(graded), encoding="utf-8")
        write_gradebooks(key, graded, tmp, canvas_assignment)
        item_analysis.write_report(tmp, item_analysis.analyse(key, graded))
    return graded


def read_responses(path: Path, key: dict[str, Any]) -> list[Response]:
    """The responses of any layout the header names, as long rows: the one place that
    tells the layouts apart (LMS reports first: their headers are the most specific)."""
    text = read_text(
        path, ResponsesError, limit=MAX_RESPONSES_BYTES, what="responses file", encoding="utf-8-sig"
    )  # a spreadsheet's CSV may start with a BOM
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ResponsesError(f"{path}: empty; give a header row and one row per response.")
    rows[0] = [h.strip() for h in rows[0]]
    layout = next(layout for layout in LAYOUTS if layout.recognise(rows[0]))
    return layout.read(rows, key, str(path))


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lower = [h.lower() for h in header]
    return next((lower.index(c) for c in names if c in lower), None)


def _is_long(header: list[str]) -> bool:
    return _column(header, STUDENT_COLUMNS) is not None and (
        _column(header, LABEL_COLUMNS) is not None
        and RESPONSE_COLUMN in [h.lower() for h in header]
    )


def _read_long(rows: list[list[str]], key: dict[str, Any], path: str) -> list[Response]:
    header = rows[0]
    student, label = _column(header, STUDENT_COLUMNS), _column(header, LABEL_COLUMNS)
    answer = _column(header, (RESPONSE_COLUMN,))
    return [Response(r[student].strip(), r[label].strip(), r[answer], n)
            for n, r in _rows(rows, path, len(header))]  # fmt: skip


def _read_wide(rows: list[list[str]], key: dict[str, Any], path: str) -> list[Response]:
    header = rows[0]
    student = _column(header, STUDENT_COLUMNS)
    if student is None:
        raise ResponsesError(
            f"{path}: no student column; name one of its columns {', '.join(STUDENT_COLUMNS)}, "
            "or give a Canvas Student Analysis or Moodle Responses report as the LMS wrote it."
        )
    return [Response(r[student].strip(), header[c], r[c], n)
            for n, r in _rows(rows, path, len(header))
            for c in range(len(header)) if c != student]  # fmt: skip


LAYOUTS: tuple[Report, ...] = (
    *REPORTS,
    Report("long", _is_long, _read_long),
    Report("wide", lambda header: True, _read_wide),  # last: any other header
)


def _rows(rows: list[list[str]], path: str, width: int) -> Iterator[tuple[int, list[str]]]:
    for n, row in enumerate(rows[1:], start=2):
        if not any(cellv.strip() for cellv in row):
            continue
        if len(row) != width:
            raise ResponsesError(
                f"{path}, line {n}: {len(row)} cells where the header has {width}; "
                "give every row the header's columns."
            )
        yield n, row


def grade(key: dict[str, Any], responses: Iterable[Response], *, where: str) -> list[Graded]:
    """Every copy that has responses, each part scored by its kind."""
    copies = _copies(key)
    labels_of = {v["variant"]: {p["label"] for q in v["questions"] for p in q["parts"]}
                 for v in key["variants"]}  # fmt: skip
    given: dict[tuple[str, str], Response] = {}
    for response in responses:
        variant = copies.get(response.student)
        if variant is None:
            raise ResponsesError(
                f"{where}, line {response.line}: no copy of this exam belongs to "
                f"'{response.student}'; name students by their id, the code on their pages "
                "or v<copy>."
            )
        labels = labels_of[variant["variant"]]
        if response.label not in labels:
            raise ResponsesError(
                f"{where}, line {response.line}: '{response.label}' is not a part of "
                f"{response.student}'s copy; use the printed labels, like "
                f"{sorted(labels)[0]}."
            )
        slot = (variant["variant"], response.label)
        if slot in given:
            raise ResponsesError(
                f"{where}, line {response.line}: a second response of {response.student} "
                f"to {response.label} (the first is on line {given[slot].line}); keep one."
            )
        given[slot] = response
    by_code = {v["variant"]: v for v in key["variants"]}
    first: dict[str, Response] = {}  # each copy's first response, in the file's order
    for (code, _), response in given.items():
        first.setdefault(code, response)
    pool = _pool_parts(key)
    graded = [_graded(by_code[code], given, pool) for code in first]
    for g in graded:  # the LMS's user columns of the copy's first response, for gradebooks
        g.identity = dict(first[g.variant].identity)
    return graded


def _copies(key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each copy under every name a responses file may give it."""
    names: dict[str, dict[str, Any]] = {}
    for variant in key["variants"]:
        names[variant["variant"]] = variant
        if "copy" in variant:
            names[f"v{variant['copy']}"] = variant
        if "student" in variant:
            names[variant["student"]["id"]] = variant
    return names


PoolParts = dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]


def _pool_parts(key: dict[str, Any]) -> PoolParts:
    """Every variant of a pool's parts, by (pool copy, label): the K keys of each part an
    LMS may have drawn from (``--pool``), whichever student's entry holds them."""
    parts: PoolParts = {}
    for variant in key["variants"] if "pool" in key["exam"] else ():
        for question in variant["questions"]:
            for part in question["parts"]:
                parts.setdefault((question["pool"]["variant"], part["label"]), (question, part))
    return parts


def _graded(variant: dict[str, Any], given: dict[tuple[str, str], Response],
            pool: PoolParts) -> Graded:  # fmt: skip
    student = variant.get("student") or {"id": "", "name": "", "extra": {}}
    copy_name = f"v{variant['copy']}" if "copy" in variant else variant["variant"]
    graded = Graded(variant["variant"], student["id"], student["name"],
                    extra=dict(student["extra"]), copy_name=copy_name)  # fmt: skip
    for own_question in variant["questions"]:
        for own_part in own_question["parts"]:
            response = given.get((variant["variant"], own_part["label"]))
            question, part = own_question, own_part
            if response and response.source:  # the LMS drew another of the pool's variants
                question, part = pool[(response.source, own_part["label"])]
            text = response.text if response else ""
            # The kind scores it (an empty select-all response can be right); a part people
            # grade gets no score (None), unless left empty.
            share = _score(part, text)
            if share is None and not text.strip():
                share = 0.0
            graded.parts.append({
                "label": part["label"], "question": question["id"], "kind": part["kind"],
                "points": part["points"], "bonus": part["bonus"], "response": text,
                "score": None if share is None else round(share * part["points"], 6),
                "expected": answer_text(part),
                "mistakes": KINDS[part["kind"]].mistakes(part, text),
            })  # fmt: skip
    return graded


# What a score depends on: the part's fields that grading reads (not its label or points).
SCORED_FIELDS = ("kind", "answer", "tolerance", "alternatives", "options", "formula", "code",
                 "names", "grid")  # fmt: skip
_SCORES: dict[bytes, float | None] = {}


def _score(part: dict[str, Any], text: str) -> float | None:
    """The kind's score, remembered: a formula or code part has the same answer in every
    copy, and a class gives the same responses to it again and again (2000 students'
    formulas are parsed and compared once per distinct response, not once per student)."""
    fields = {name: part.get(name) for name in SCORED_FIELDS}
    memo = msgspec.json.encode([fields, text])
    if memo not in _SCORES:
        if len(_SCORES) > MAX_REMEMBERED:
            _SCORES.clear()
        _SCORES[memo] = KINDS[part["kind"]].score(part, text)
    return _SCORES[memo]


MAX_REMEMBERED = 200_000


def grades_csv(key: dict[str, Any], graded: list[Graded]) -> str:
    """One row per student: each part's points, the total, and the parts left to people."""
    labels = list(dict.fromkeys(p["label"] for g in graded for p in g.parts))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "student_id", "student_name", *labels, "total",
                     "out_of", "to_grade_by_hand"])  # fmt: skip
    out_of = key["exam"]["points"]
    for g in graded:
        scores = {p["label"]: "" if p["score"] is None else p["score"] for p in g.parts}
        writer.writerow([cell(v) for v in (g.variant, g.student_id, g.student_name,
                                           *(scores.get(label, "") for label in labels),
                                           round(g.total, 6), out_of, g.pending)])  # fmt: skip
    return buffer.getvalue()


def feedback_csv(graded: list[Graded]) -> str:
    """One row per student and part: the response, its points and the expected answer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["variant", "student_id", "label", "kind", "response", "score", "points",
                     "expected"])  # fmt: skip
    for g in graded:
        for p in g.parts:
            score = "to grade by hand" if p["score"] is None else p["score"]
            writer.writerow([cell(v) for v in (g.variant, g.student_id, p["label"], p["kind"],
                                               p["response"], score, p["points"],
                                               p["expected"])])  # fmt: skip
    return buffer.getvalue()
