"""Who gets which variant: class rosters and stable variant ids.

A student's variant id is a hash of (exam seed, student id): adding or removing
students never changes anyone else's exam, and ``--variant-id`` rebuilds one
student's exam on its own.  Without a roster, variants are numbered v0, v1, ...
(v0 is the exam ``generate-exam --seed N`` builds).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ExamError

ID_COLUMNS = ("student_id", "student id", "id", "sis_id", "sunetid", "login", "email")
NAME_COLUMNS = ("name", "student_name", "student name", "full name", "full_name")
HASH_BYTES = 5  # 10 hex digits: a collision among 2000 students has odds below 1 in 500,000


class RosterError(ExamError):
    """The roster file cannot be used as it is."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Assignment:
    """One copy of the exam: the stream key of its variant, its printed id, its student."""

    key: int
    variant_id: str
    student: Student | None = None


def numbered(count: int) -> list[Assignment]:
    return [Assignment(k, f"v{k}") for k in range(count)]


def student_variant(seed: int, student_id: str) -> Assignment:
    digest = hashlib.blake2b(f"{seed}:{student_id}".encode(), digest_size=HASH_BYTES).hexdigest()
    return Assignment(int(digest, 16), digest)


def for_roster(seed: int, students: Sequence[Student]) -> list[Assignment]:
    assignments = []
    for student in students:
        a = student_variant(seed, student.id)
        assignments.append(Assignment(a.key, a.variant_id, student))
    if len({a.key for a in assignments}) != len(assignments):
        raise RosterError(f"two students share a variant id with seed {seed}; use another seed.")
    return assignments


def parse_variant_id(text: str) -> Assignment:
    """``v12`` (numbered variants) or a 10-digit student variant id such as ``3fa2c19b07``."""
    if m := re.fullmatch(r"v(\d+)", text):
        return Assignment(int(m[1]), text)
    if re.fullmatch(rf"[0-9a-f]{{{2 * HASH_BYTES}}}", text):
        return Assignment(int(text, 16), text)
    raise RosterError(
        f"--variant-id {text!r} is neither v<number> nor a {2 * HASH_BYTES}-digit variant id "
        "(both are printed on every page of the exam)."
    )


def read_roster(
    path: Path, id_column: str | None = None, name_column: str | None = None
) -> list[Student]:
    """Students from a CSV file with a header row; other columns are kept."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"{path}: roster file not found.") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: not UTF-8 text; save the roster as UTF-8 CSV.") from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows:
        raise RosterError(f"{path}: no students; the first row names the columns.")
    columns = list(rows[0])
    id_col = _column(path, columns, id_column, ID_COLUMNS, "--id-column", "student id")
    name_col = _column(path, columns, name_column, NAME_COLUMNS, "--name-column", "name")
    students, seen = [], set()
    for line, row in enumerate(rows, start=2):
        sid = (row.get(id_col) or "").strip()
        if not sid:
            raise RosterError(f"{path}, line {line}: empty '{id_col}'; every student needs one.")
        if sid in seen:
            raise RosterError(f"{path}, line {line}: student id '{sid}' appears twice.")
        seen.add(sid)
        extra = {k: v for k, v in row.items() if k not in (id_col, name_col) and k is not None}
        students.append(Student(sid, (row.get(name_col) or "").strip(), extra))
    return students


def _column(
    path: Path,
    columns: list[str],
    given: str | None,
    usual: Sequence[str],
    option: str,
    what: str,
) -> str:
    if given is not None:
        if given not in columns:
            raise RosterError(f"{path}: no column '{given}'; the columns are {', '.join(columns)}.")
        return given
    for column in columns:
        if column.strip().lower() in usual:
            return column
    raise RosterError(
        f"{path}: no {what} column (looked for {', '.join(usual)}); name it with {option} "
        f"(the columns are {', '.join(columns)})."
    )
