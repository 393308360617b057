"""Moodle's grade import: the grades ``grade`` writes for Moodle's CSV importer.

The form, read from Moodle's own importer (moodle/moodle,
``grade/import/csv/classes/load_data.php``): the teacher maps one column to a user field
(``id``, ``idnumber``, ``email``, ``username``: ``map_user_data_with_value``) and each
other column to a grade item, a new grade item named by its header, or feedback; ``-`` or
an empty cell is no grade.  So the file has ``ID number``, ``Email address`` and
``Username`` (the headers Moodle's own exports use), filled from the LMS report's user
columns or the roster, the exam's column, and a ``Feedback`` column that says how many
parts wait for a person (they count 0 until graded).
"""

from __future__ import annotations

from pathlib import Path

from generator.grading.records import GradebookOptions, Graded
from generator.key.records import Key
from generator.lms.items import quiz_title
from generator.run_folder import GradesFolder
from generator.tables import csv_text, plain

FILE = "moodle-grades.csv"
COLUMNS = ("ID number", "Email address", "Username")
# Where each column's value is found: the LMS report's user columns, then the roster's
# (kept in the key), by their usual names; lower case.
SOURCES = {
    "ID number": ("id number", "idnumber"), "Email address": ("email address", "email"),
    "Username": ("username", "login"),
}  # fmt: skip


def grades_csv(key: Key, graded: list[Graded]) -> str:
    """The user columns to map one of, the exam's, feedback."""
    rows = []
    for g in graded:
        number = g.found(SOURCES["ID number"]) or g.student_id
        waiting = f"{g.pending} part(s) to be graded by hand" if g.pending else ""
        email, username = (g.found(SOURCES[c]) for c in ("Email address", "Username"))
        rows.append([number, email, username, plain(round(g.total, 6)), waiting])
    return csv_text(rows, [*COLUMNS, quiz_title(key), "Feedback"])


def write(key: Key, graded: list[Graded], grades: GradesFolder,
          options: GradebookOptions) -> list[Path]:  # fmt: skip
    """The grade import into ``grades/``."""
    path = grades.root / FILE
    path.write_text(grades_csv(key, graded), encoding="utf-8")
    return [path]
