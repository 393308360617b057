"""Canvas's gradebook import: the grades ``grade`` writes for Canvas to read.

The form, read from Canvas's own importer (instructure/canvas-lms,
``app/models/gradebook_importer.rb``): the header row must start ``Student, ID`` and its
student columns end with ``Section`` (``row_has_student_headers?``, ``header?``); with
``SIS User ID, SIS Login ID`` between them the student columns are five
(``update_column_count``).  A student is found by ``ID`` (Canvas's user id), else ``SIS
User ID``, else ``SIS Login ID``, else the name (``process_student``).  Every other column
is an assignment: ``Title (<id>)`` is that assignment, a title alone the assignment of
that title, or else a new one (``parse_assignments``).  A row whose first cell holds
``Points Possible`` gives the points of new assignments (``process_pp``).  Our column is
titled as the quiz export titles the quiz and its assignment, ``<title> (exam <code>)``,
so that it lands on the imported quiz; with ``--canvas-assignment`` (Canvas's assignment
id) it is ``<title> (exam <code>) (<id>)``.

Totals are the points the kinds scored; parts people grade count 0 until graded.
"""

from __future__ import annotations

from pathlib import Path

from generator.grading.records import GradebookOptions, Graded
from generator.key.records import Key
from generator.lms.items import quiz_title
from generator.run_folder import GradesFolder
from generator.tables import csv_text, plain

FILE = "canvas-gradebook.csv"
COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Where each column's value is found: the LMS report's user columns, then the roster's
# (kept in the key), by their usual names; lower case.
SOURCES = {
    "ID": ("id",), "SIS User ID": ("sis_id", "sis user id"), "SIS Login ID": ("sis login id",),
    "Section": ("section",),
}  # fmt: skip


def gradebook_csv(key: Key, graded: list[Graded], assignment: str | None = None) -> str:
    """Five student columns, the exam's, a Points Possible row."""
    title = quiz_title(key) + (f" ({assignment})" if assignment else "")
    rows: list[list[object]] = [["Points Possible", "", "", "", "", plain(key.exam.points)]]
    for g in graded:
        sis = g.found(SOURCES["SIS User ID"]) or g.student_id
        login, section = (g.found(SOURCES[c]) for c in ("SIS Login ID", "Section"))
        rows.append([g.who, g.found(SOURCES["ID"]), sis, login, section,
                     plain(round(g.total, 6))])  # fmt: skip
    return csv_text(rows, [*COLUMNS, title])


def write(key: Key, graded: list[Graded], grades: GradesFolder,
          options: GradebookOptions) -> list[Path]:  # fmt: skip
    """The gradebook import into ``grades/``."""
    path = grades.root / FILE
    path.write_text(gradebook_csv(key, graded, options.canvas_assignment), encoding="utf-8")
    return [path]
