"""What grading writes beside grades.csv: the LMSs' gradebook imports and each student's feedback.

The forms, read from the LMSs' own importers:

- **Canvas** (instructure/canvas-lms, ``app/models/gradebook_importer.rb``): the header
  row must start ``Student, ID`` and its student columns end with ``Section``
  (``row_has_student_headers?``, ``header?``); with ``SIS User ID, SIS Login ID`` between
  them the student columns are five (``update_column_count``).  A student is found by
  ``ID`` (Canvas's user id), else ``SIS User ID``, else ``SIS Login ID``, else the name
  (``process_student``).  Every other column is an assignment: ``Title (<id>)`` is that
  assignment, a title alone the assignment of that title, or else a new one
  (``parse_assignments``).  A row whose first cell holds ``Points Possible`` gives the
  points of new assignments (``process_pp``).  Our column is titled as ``canvas.py``
  titles the quiz and its assignment, ``<title> (exam <code>)``, so that it lands on the
  imported quiz; with ``canvas_assignment`` (Canvas's assignment id) it is
  ``<title> (exam <code>) (<id>)``.
- **Moodle** (moodle/moodle, ``grade/import/csv/classes/load_data.php``): the teacher
  maps one column to a user field (``id``, ``idnumber``, ``email``, ``username``:
  ``map_user_data_with_value``) and each other column to a grade item, a new grade item
  named by its header, or feedback; ``-`` or an empty cell is no grade.  So the file has
  ``ID number``, ``Email address`` and ``Username`` (the headers Moodle's own exports
  use), filled from the LMS report's user columns or the roster, the exam's column, and a
  ``Feedback`` column.

Totals are the points the kinds scored; parts people grade count 0 until graded (the
``Feedback`` cell says how many wait).  Feedback pages are HTML, every value escaped.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.lms.items import plain
from generator.tables import cell

if TYPE_CHECKING:
    from generator.grading.pipeline import Graded

CANVAS_FILE = "canvas-gradebook.csv"
MOODLE_FILE = "moodle-grades.csv"
FEEDBACK_DIR = "feedback"
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_COLUMNS = ("ID number", "Email address", "Username")
# Where each gradebook column's value is found: the LMS report's user columns, then the
# roster's (kept in the key), by their usual names; lower case.
CANVAS_SOURCES = {
    "ID": ("id",), "SIS User ID": ("sis_id", "sis user id"), "SIS Login ID": ("sis login id",),
    "Section": ("section",),
}  # fmt: skip
MOODLE_SOURCES = {
    "ID number": ("id number", "idnumber"), "Email address": ("email address", "email"),
    "Username": ("username", "login"),
}  # fmt: skip


def assignment_title(key: dict[str, Any]) -> str:
    """The exam as ``canvas.py`` names its quiz and assignment."""
    return f"{key['exam']['title']} (exam {key['exam']['code']})"


def _found(g: Graded, names: tuple[str, ...]) -> str:
    """A user value from the LMS report's columns, else the roster's (the key's extras)."""
    for source in (g.identity, g.extra):
        folded = {k.strip().lower(): v for k, v in source.items()}
        for name in names:
            if folded.get(name, "").strip():
                return folded[name].strip()
    return ""


def _who(g: Graded) -> str:
    """The copy's student, or its number: what a person reading the file recognises."""
    return g.student_name or _found(g, ("name",)) or g.copy_name


def _csv(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def canvas_csv(key: dict[str, Any], graded: list[Graded], assignment: str | None = None) -> str:
    """Canvas's gradebook import: five student columns, the exam's, a Points Possible row."""
    title = assignment_title(key) + (f" ({assignment})" if assignment else "")
    points = ["Points Possible", "", "", "", "", plain(key["exam"]["points"])]
    rows: list[list[Any]] = [[*CANVAS_COLUMNS, title], points]
    for g in graded:
        sis = _found(g, CANVAS_SOURCES["SIS User ID"]) or g.student_id
        login, section = (_found(g, CANVAS_SOURCES[c]) for c in ("SIS Login ID", "Section"))
        canvas_id = _found(g, CANVAS_SOURCES["ID"])
        rows.append([_who(g), canvas_id, sis, login, section, plain(round(g.total, 6))])
    return _csv(rows)


def moodle_csv(key: dict[str, Any], graded: list[Graded]) -> str:
    """Moodle's CSV grade import: the user columns to map one of, the exam's, feedback."""
    rows: list[list[Any]] = [[*MOODLE_COLUMNS, assignment_title(key), "Feedback"]]
    for g in graded:
        number = _found(g, MOODLE_SOURCES["ID number"]) or g.student_id
        waiting = f"{g.pending} part(s) to be graded by hand" if g.pending else ""
        email, username = (_found(g, MOODLE_SOURCES[c]) for c in ("Email address", "Username"))
        rows.append([number, email, username, plain(round(g.total, 6)), waiting])
    return _csv(rows)


def verdict(part: dict[str, Any]) -> str:
    """What the feedback says of one part's score."""
    if part["score"] is None:
        return "to be graded by hand"
    if part["score"] >= part["points"]:
        return "right"
    return "wrong" if part["score"] <= 0 else "partly right"


def feedback_html(key: dict[str, Any], g: Graded) -> str:
    """One student's page: each part's response, points, verdict and the expected answer."""
    e: Callable[[object], str] = lambda value: html.escape(str(value))  # noqa: E731
    rows = "".join(
        f'<tr class="{e(verdict(p).replace(" ", "-"))}"><td>{e(p["label"])}</td>'
        f"<td><pre>{e(p['response'])}</pre></td><td>{e(verdict(p))}</td>"
        f"<td>{'' if p['score'] is None else e(plain(p['score']))} / {e(plain(p['points']))}</td>"
        f"<td><pre>{e(p['expected'])}</pre></td></tr>\n"
        for p in g.parts
    )
    title = f"{key['exam']['title']}: {_who(g)}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        "<style>td,th{border:1px solid #999;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse}pre{margin:0;white-space:pre-wrap}"
        ".wrong{background:#fde}.partly-right{background:#ffd}</style></head><body>\n"
        f"<h1>{e(title)}</h1>\n<p>Copy {e(g.variant)}: {e(plain(round(g.total, 6)))} of "
        f"{e(plain(key['exam']['points']))} points"
        + (f"; {g.pending} part(s) to be graded by hand" if g.pending else "")
        + "</p>\n<table><tr><th>part</th><th>your response</th><th>marked</th><th>points</th>"
        f"<th>expected answer</th></tr>\n{rows}</table>\n</body></html>\n"
    )


def feedback_name(g: Graded) -> str:
    """``<student id>_<code>.html`` or ``v<number>_<code>.html``, as the class's folders."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", g.student_id or g.copy_name).strip("._")
    return f"{safe}_{g.variant}.html"


def write_gradebooks(key: dict[str, Any], graded: list[Graded], folder: Path,
                     canvas_assignment: str | None = None) -> list[Path]:  # fmt: skip
    """The two gradebook imports and every student's feedback page into ``folder``."""
    written = [folder / CANVAS_FILE, folder / MOODLE_FILE]
    written[0].write_text(canvas_csv(key, graded, canvas_assignment), encoding="utf-8")
    written[1].write_text(moodle_csv(key, graded), encoding="utf-8")
    (folder / FEEDBACK_DIR).mkdir()
    for g in graded:
        page = folder / FEEDBACK_DIR / feedback_name(g)
        page.write_text(feedback_html(key, g), encoding="utf-8")
        written.append(page)
    return written
