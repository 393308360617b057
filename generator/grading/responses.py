"""Responses files, of every layout, read as one response per student and part.

The header tells the layout (here alone): an LMS's quiz report, read by its vendor's
reader (Canvas's Student Analysis, Moodle's Responses; generator.lms.VENDORS), or

- long: one row per student and part, columns ``student``, ``label`` (or ``part``) and
  ``response``;
- wide: one row per student, a ``student`` column and one column per printed part label
  (``1(a)``, ``2(b)(ii)``).

A student is named by their id (a roster's class), by the copy's code printed on the
pages, or by ``v<copy>`` (a class of numbered copies).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from generator.files import read_text
from generator.grading.records import Response, ResponsesError
from generator.key.records import Key
from generator.lms import VENDORS
from generator.tables import data_rows, read_csv

MAX_RESPONSES_BYTES = 64 * 2**20
STUDENT_COLUMNS = ("student", "student_id", "id", "variant")
LABEL_COLUMNS = ("label", "part")
RESPONSE_COLUMN = "response"
EVERY_COLUMN = "give every row the header's columns."


@dataclass(frozen=True)
class Layout:
    """A layout of responses files: how its header is told, how its rows are read."""

    name: str
    recognise: Callable[[list[str]], bool]
    read: Callable[[list[list[str]], Key, str], list[Response]]


def read_responses(path: Path, key: Key) -> list[Response]:
    """The responses of any layout the header names, as long rows (LMS reports first:
    their headers are the most specific)."""
    return responses_of(read_table(path), key, str(path))


def read_table(path: Path) -> list[list[str]]:
    """A responses file's rows, its header's cells stripped; refused when empty."""
    text = read_text(
        path, ResponsesError, limit=MAX_RESPONSES_BYTES, what="responses file", encoding="utf-8-sig"
    )  # a spreadsheet's CSV may start with a BOM
    rows = read_csv(text, str(path), ResponsesError)
    if not rows:
        raise ResponsesError(f"{path}: empty; give a header row and one row per response.")
    rows[0] = [h.strip() for h in rows[0]]
    return rows


def responses_of(rows: list[list[str]], key: Key, path: str) -> list[Response]:
    """A table's responses, read by the layout its header names; a report of points per
    question (Gradescope's) is refused: it holds no responses to score."""
    marks = marks_reader(rows[0])
    if marks is not None:
        raise ResponsesError(
            f"{path}: a {marks.NAME} export holds the points graders gave, not responses; "
            "give it to generate-exam grade, which reads its points as they are."
        )
    layout = next(layout for layout in layouts() if layout.recognise(rows[0]))
    return layout.read(rows, key, path)


def marks_reader(header: list[str]) -> ModuleType | None:
    """The reader of the vendor whose report of points per question ``header`` is, if any
    (generator.lms.Vendor.marks)."""
    readers = (vendor.report_reader() for vendor in VENDORS.values() if vendor.marks)
    return next((reader for reader in readers if reader.recognise(header)), None)


def layouts() -> list[Layout]:
    """Every vendor's report of responses, then the long and the wide layout (the last
    takes any other header)."""
    reports = [vendor.report_reader() for vendor in VENDORS.values() if not vendor.marks]
    return [
        *(Layout(report.NAME, report.recognise, report.read) for report in reports),
        Layout("long", _is_long, _read_long),
        Layout("wide", lambda header: True, _read_wide),
    ]


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lower = [h.lower() for h in header]
    return next((lower.index(c) for c in names if c in lower), None)


def _is_long(header: list[str]) -> bool:
    return _column(header, STUDENT_COLUMNS) is not None and (
        _column(header, LABEL_COLUMNS) is not None
        and RESPONSE_COLUMN in [h.lower() for h in header]
    )


def _read_long(rows: list[list[str]], key: Key, path: str) -> list[Response]:
    header = rows[0]
    student, label = _column(header, STUDENT_COLUMNS), _column(header, LABEL_COLUMNS)
    answer = _column(header, (RESPONSE_COLUMN,))
    assert student is not None and label is not None and answer is not None
    return [Response(r[student].strip(), r[label].strip(), r[answer], n)
            for n, r in data_rows(rows, path, EVERY_COLUMN, ResponsesError)]  # fmt: skip


def _read_wide(rows: list[list[str]], key: Key, path: str) -> list[Response]:
    header = rows[0]
    student = _column(header, STUDENT_COLUMNS)
    if student is None:
        raise ResponsesError(
            f"{path}: no student column; name one of its columns {', '.join(STUDENT_COLUMNS)}, "
            "or give a Canvas Student Analysis or Moodle Responses report as the LMS wrote it."
        )
    return [Response(r[student].strip(), header[c], r[c], n)
            for n, r in data_rows(rows, path, EVERY_COLUMN, ResponsesError)
            for c in range(len(header)) if c != student]  # fmt: skip
