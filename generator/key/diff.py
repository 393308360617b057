"""``generate-exam diff-keys OLD NEW``: which students' keys a fix to the bank changed.

After an exam, a question gets fixed (a tolerance, a wrong answer, a point value), and
the exam is built again with the same seed and secret.  Every copy keeps its code, so the
two keys can be compared copy by copy, question by question (by id) and part by part:
what a grader needs to know is every student and part whose grading changed, and how.
Only what grading reads is compared: the answer, its tolerance and accepted
alternatives, the options' verdicts, the points and the kind; a reworded stem is not a
change of key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from msgspec import UNSET

from generator.errors import ExamError
from generator.key.read import read_key
from generator.key.records import Key, PartInfo, StudentInfo, VariantInfo
from generator.run_folder import RunFolder
from generator.tables import csv_text

GRADED = ("kind", "points", "bonus", "answer", "tolerance", "alternatives", "options")
COLUMNS = ("variant", "student_id", "student_name", "question", "label", "field", "old", "new")


class KeyDiffError(ExamError):
    """The two keys are not of the same exam, so their copies cannot be paired."""


@dataclass(frozen=True)
class Change:
    """One graded field of one part of one copy, as the old and the new key have it."""

    variant: str
    student_id: str
    student_name: str
    question: str
    label: str
    field: str
    old: Any
    new: Any


def diff_runs(old_run: Path, new_run: Path) -> list[Change]:
    """The changes between the keys of two runs of the same exam (folders)."""
    return diff_keys(read_key(RunFolder(old_run).key), read_key(RunFolder(new_run).key),
                     names=(str(old_run), str(new_run)))  # fmt: skip


def diff_keys(old: Key, new: Key, *, names: tuple[str, str] = ("old", "new")) -> list[Change]:
    """Every graded field that differs, copy by copy, in the new key's order."""
    _check_same_exam(old, new, names)
    before = {v.variant: v for v in old.variants}
    return [change for variant in new.variants
            for change in _variant_changes(before[variant.variant], variant)]  # fmt: skip


def _check_same_exam(old: Key, new: Key, names: tuple[str, str]) -> None:
    if old.exam.code != new.exam.code:
        raise KeyDiffError(
            f"{names[0]} and {names[1]} are not runs of the same exam (exam codes "
            f"{old.exam.code} and {new.exam.code}); build the new one with the "
            "same blueprint name, seed and secret file."
        )
    missing = {v.variant for v in new.variants} ^ {v.variant for v in old.variants}
    if missing:
        raise KeyDiffError(
            f"{names[0]} and {names[1]} hold different copies (for example "
            f"{sorted(missing)[0]}); build the new one for the same class or roster."
        )


def _variant_changes(old: VariantInfo, new: VariantInfo) -> Iterator[Change]:
    student = new.student or StudentInfo(id="", name="", extra={})
    before = {(q.id, p.part): p for q, p in old.parts}
    for question, part in new.parts:
        was = before.pop((question.id, part.part), None)
        for field in GRADED:
            old_value = None if was is None else _graded(was, field)
            if old_value != _graded(part, field):
                yield Change(new.variant, student.id, student.name, question.id,
                             part.label, field, old_value, _graded(part, field))  # fmt: skip
    for (qid, _), part in before.items():  # parts the new key no longer has
        yield Change(new.variant, student.id, student.name, qid, part.label,
                     "part", part.label, None)  # fmt: skip


def _graded(part: PartInfo, field: str) -> Any:
    """What grading reads of a field, as key.json writes it: of the options, their labels,
    texts and verdicts (a reworded explanation changes no grade)."""
    value = getattr(part, field)
    if value is UNSET:
        return None
    if field == "options":
        return [{"label": o.label, "text": o.text, "correct": o.correct} for o in value]
    return msgspec.to_builtins(value)


def changes_csv(changes: list[Change]) -> str:
    """One row per change; values as JSON-like text (lists, options) escaped for CSV."""
    rows = [(c.variant, c.student_id, c.student_name, c.question, c.label, c.field,
             shown(c.old), shown(c.new)) for c in changes]  # fmt: skip
    return csv_text(rows, COLUMNS)


def summary(changes: list[Change]) -> str:
    """``13 copies changed, in 1 part: 1(a) in 13`` (or that nothing did)."""
    if not changes:
        return "No graded field changed: every copy's key is as before."
    copies = {c.variant for c in changes}
    by_label: dict[str, set[str]] = {}
    for c in changes:
        by_label.setdefault(c.label, set()).add(c.variant)
    listed = ", ".join(f"{label} in {len(v)}" for label, v in by_label.items())
    return f"{len(copies)} copies changed, in {len(by_label)} part(s): {listed}."


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and value and isinstance(value[0], dict) and "correct" in value[0]:
        return "; ".join(f"{o['label']}={'right' if o['correct'] else 'wrong'}" for o in value)
    if isinstance(value, list) and value and isinstance(value[0], dict):  # formulas
        return "; ".join(f"{f['lhs']} = {f['text']}" for f in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)
