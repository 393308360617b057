"""Who gets which copy: class rosters and the codes printed on every page.

A student's copy is fixed by their id under the exam's seed and secret (see
:mod:`generator.variants.seeding`): adding or removing students never changes anyone else's
exam, and ``--variant-id`` rebuilds one student's exam on its own.  Without a
roster, copies are numbered v0, v1, ... (v0 is the exam ``generate-exam --seed N``
builds); their codes are HMACs all the same, so a page never shows the copy number.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ExamError
from generator.files import read_text
from generator.tables import LINE_END, csv_records
from generator.variants.seeding import CODE_DIGITS, Seeding

# Usual column names, from hand-made rosters and the LMS exports (Canvas gradebook:
# Student, ID, SIS User ID; Moodle: First name, Last name, ID number; Gradescope: First
# Name, Last Name, SID; Blackboard: Last Name, First Name, Username, Student ID).
ID_COLUMNS = ("student_id", "student id", "sis user id", "sis_id", "sid", "id number", "id",
              "sunetid", "login", "sis login id", "username", "email", "email address")  # fmt: skip
SIS_ID_COLUMNS = ("sis user id", "sis_id")  # passed over when empty for some student
NAME_COLUMNS = ("name", "student_name", "student name", "full name", "full_name", "student")
FIRST_NAME_COLUMNS = ("first name", "first_name", "firstname", "given name")
LAST_NAME_COLUMNS = ("last name", "last_name", "lastname", "surname", "family name")
CANVAS_POINTS_ROW = "points possible"  # Canvas gradebooks: a row of maximum scores, no id
MAX_COPIES = 20_000  # copies of one class build, and numbered copies --variant-id looks through
MAX_ROSTER_BYTES = 16 * 2**20
MAX_NAME_CHARS = 200  # the longest names on record are about 100 characters
MAX_ID_CHARS = 100  # ids name the students' folders, whose names have 255 bytes at most


JOINERS = "\u200c\u200d"  # ZWNJ, ZWJ: spell Persian and Indic words and emoji sequences
TAGS = range(0xE0020, 0xE0080)  # spell the flags of regions (England, Scotland, ...)


class RosterError(ExamError):
    """The roster file cannot be used as it is."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    extra: dict[str, str] = field(default_factory=dict)
    where: str = ""  # the roster file and line that list them (for messages)


@dataclass(frozen=True)
class Assignment:
    """One copy of the exam: the code printed on its pages (the key of its streams), the
    copy number of a numbered copy, the student of a roster's copy."""

    variant_id: str
    copy: int | None = None
    student: Student | None = None

    @property
    def label(self) -> str:
        """How the instructor names this copy: the student, or v<number>."""
        if self.student is not None:
            return f"{self.student.name} ({self.student.id})"
        return f"v{self.copy}" if self.copy is not None else self.variant_id


def clean(text: str) -> str:
    """A name as it prints: NFC, single spaces, no invisible characters but meaningful joiners.

    Zero-width joiners stay only inside a word (Persian, Devanagari, emoji sequences) and
    tag characters only after a flag; everything else of categories Cc and Cf (controls,
    zero-width spaces, bidi overrides that reorder what is shown) goes.
    """
    text = unicodedata.normalize("NFC", text)
    kept: list[str] = []
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if char in JOINERS:
            if 0 < i < len(text) - 1 and not (text[i - 1] + text[i + 1]).isspace():
                kept.append(char)
        elif ord(char) in TAGS:
            if kept and (kept[-1] == "\U0001f3f4" or ord(kept[-1]) in TAGS):
                kept.append(char)
        elif category == "Cc":
            kept.append(" ")  # a line break or tab between two words still parts them
        elif category != "Cf":
            kept.append(char)
    return " ".join("".join(kept).split())


def numbered(seeding: Seeding, count: int, first: int = 0) -> list[Assignment]:
    return [Assignment(seeding.copy_code(k), k) for k in range(first, first + count)]


def for_roster(seeding: Seeding, students: Sequence[Student]) -> list[Assignment]:
    assignments = [Assignment(seeding.student_code(s.id), None, s) for s in students]
    if len({a.variant_id for a in assignments}) != len(assignments):
        raise RosterError(
            f"two students share a variant code with seed {seeding.seed}; use another seed."
        )
    return assignments


def check_copy_name(text: str) -> str:
    """``--variant-id`` as written: v<number>, or a code of CODE_DIGITS hex digits."""
    if re.fullmatch(r"v\d+", text) or re.fullmatch(rf"[0-9a-fA-F]{{{CODE_DIGITS}}}", text.strip()):
        return text.strip()
    raise RosterError(
        f"{text!r} is neither a copy code ({CODE_DIGITS} hex digits, printed on the pages) "
        "nor v<number>."
    )


def find_copy(seeding: Seeding, text: str, students: Sequence[Student] | None = None) -> Assignment:
    """The copy ``--variant-id`` names: ``v12`` (numbered copies) or the code printed on a
    student's pages, checked against the secret and, with a roster, against its students."""
    if m := re.fullmatch(r"v(\d+)", text):
        if students is not None:
            raise RosterError(
                f"--variant-id {text} names a numbered copy, which has no student; give the "
                "code printed on the student's pages, or drop --roster."
            )
        return numbered(seeding, 1, int(m[1]))[0]
    code = text.strip().lower()
    if not seeding.is_code(code):
        raise RosterError(
            f"--variant-id {text!r} is not a copy code of this secret: check the "
            f"{CODE_DIGITS} characters printed on the pages, and that --secret-file is the "
            "file the exam was built with (or --public if it was built in public mode)."
        )
    if students is None:
        return _numbered_copy(seeding, code)
    for assignment in for_roster(seeding, students):
        if assignment.variant_id == code:
            return assignment
    raise RosterError(
        f"--variant-id {code}: no student of the roster has this code with seed "
        f"{seeding.seed}; check the seed and the roster file."
    )


def _numbered_copy(seeding: Seeding, code: str) -> Assignment:
    """The numbered copy with this code, if it is one (the key then records its number as
    the class build did); otherwise a student's copy, built without their name."""
    for number in range(MAX_COPIES):
        if seeding.copy_code(number) == code:
            return Assignment(code, number)
    return Assignment(code)


def read_roster(
    path: Path, id_column: str | None = None, name_column: str | None = None
) -> list[Student]:
    """Students from a CSV file with a header row; other columns are kept.

    Commas, semicolons (spreadsheets in many locales) and tabs all separate columns; a
    name split into first and last name columns is joined, and every name is cleaned for
    print (:func:`clean`).
    """
    header, rows = _rows(path, _read_text(path))
    names = _name_columns(path, header, name_column)
    listed = [(line, row) for line, row in rows if not _points_row(row, header, names)]
    gaps = {c.strip().lower() for c in header
            if not all((row.get(c) or "").strip() for _, row in listed)}  # fmt: skip
    usual = [c for c in ID_COLUMNS if not (c in SIS_ID_COLUMNS and c in gaps)]
    id_col = _column(path, header, id_column, usual, "--id-column", "student id")
    students, seen = [], set()
    for line, row in listed:
        where = f"{path}, line {line}"
        sid = (row.get(id_col) or "").strip()
        if not sid:
            raise RosterError(f"{where}: empty '{id_col}'; every student needs one.")
        if len(sid) > MAX_ID_CHARS:
            raise RosterError(
                f"{where}: a student id of {len(sid)} characters; ids have at most "
                f"{MAX_ID_CHARS} (is the right column the id?)."
            )
        if any(unicodedata.category(c) in ("Cc", "Cf") for c in sid):
            raise RosterError(
                f"{where}: student id {sid!r} holds a line break or an invisible character; "
                "correct it in the roster (ids must match the LMS's exactly)."
            )
        if sid in seen:
            raise RosterError(f"{where}: student id '{sid}' appears twice.")
        seen.add(sid)
        name = clean(" ".join(row.get(col) or "" for col in names))
        if len(name) > MAX_NAME_CHARS:
            raise RosterError(
                f"{where}: a name of {len(name)} characters; names have at most "
                f"{MAX_NAME_CHARS} (is the right column the name?)."
            )
        extra = {k: v for k, v in row.items() if k not in (id_col, *names)}
        students.append(Student(sid, name, extra, where))
    if not students:
        raise RosterError(f"{path}: no students; the first row names the columns.")
    if len(students) > MAX_COPIES:
        raise RosterError(
            f"{path}: {len(students):,} students is more than the {MAX_COPIES:,} one class "
            "build makes; split the roster."
        )
    return students


def _read_text(path: Path) -> str:
    """The roster's text, refusing what cannot be a roster before reading all of it."""
    return read_text(path, RosterError, limit=MAX_ROSTER_BYTES, what="roster",
                     encoding="utf-8-sig")  # fmt: skip


def _rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and every non-blank row (with the line it starts on), as the standard
    CSV rules read them: quoted cells may hold separators, doubled quotes and line breaks."""
    first_line = LINE_END.split(text, maxsplit=1)[0]
    records = csv_records(text, str(path), RosterError, delimiter=_delimiter(first_line))
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise RosterError(f"{path}: no students; the first row names the columns.")
    (_, header), *body = records
    header = [column.strip() or f"column {i}" for i, column in enumerate(header, start=1)]
    twice = [c for c, n in Counter(header).items() if n > 1]  # linear: a roster may be wide
    if twice:
        raise RosterError(
            f"{path}, line 1: two columns are named '{twice[0]}'; rename one, so that it is "
            "clear which one is meant."
        )
    rows = []
    for line, cells in body:
        if any(cell.strip() for cell in cells[len(header) :]):
            raise RosterError(
                f"{path}, line {line}: {len(cells)} cells, but the header names "
                f"{len(header)} columns; quote the cells that hold a separator."
            )
        cells = cells[: len(header)] + [""] * (len(header) - len(cells))
        rows.append((line, dict(zip(header, cells, strict=True))))
    unnamed = [c for c in header if c.startswith("column ") and not any(r[c] for _, r in rows)]
    for _, row in rows:  # a trailing separator on every line: no column
        for column in unnamed:
            del row[column]
    return [c for c in header if c not in unnamed], rows


def _points_row(row: dict[str, str], header: list[str], names: tuple[str, ...]) -> bool:
    """Canvas gradebooks list the maximum scores in a row whose name is "Points Possible"
    and which has no id: no student (a student may well have such a cell elsewhere)."""
    named = " ".join(row.get(c) or "" for c in names).strip().lower() == CANVAS_POINTS_ROW
    ids = [c for c in header if c.strip().lower() in ID_COLUMNS]
    return named and not any((row.get(c) or "").strip() for c in ids)


def _delimiter(header: str) -> str:
    """The separator the header line uses most, outside quotes (a comma if none)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _name_columns(path: Path, columns: list[str], given: str | None) -> tuple[str, ...]:
    """The name column, or a first-name and a last-name column to join."""
    if given is None:
        first = _find(columns, FIRST_NAME_COLUMNS)
        last = _find(columns, LAST_NAME_COLUMNS)
        if _find(columns, NAME_COLUMNS) is None and first and last:
            return first, last
    return (_column(path, columns, given, NAME_COLUMNS, "--name-column", "name"),)


def _find(columns: list[str], usual: Sequence[str]) -> str | None:
    """The first of ``usual`` (in its order of preference) that is a column."""
    folded = {column.strip().lower(): column for column in reversed(columns)}
    return next((folded[name] for name in usual if name in folded), None)


def _column(
    path: Path,
    columns: list[str],
    given: str | None,
    usual: Sequence[str],
    option: str,
    what: str,
) -> str:
    """The column named with ``option``, else the first of the usual ones there is."""
    if given is not None:
        if given not in columns:
            raise RosterError(f"{path}: no column '{given}'; the columns are {', '.join(columns)}.")
        return given
    if (found := _find(columns, usual)) is not None:
        return found
    raise RosterError(
        f"{path}: no {what} column (looked for {', '.join(usual)}); name it with {option} "
        f"(the columns are {', '.join(columns)})."
    )
