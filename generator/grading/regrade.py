"""``generate-exam diff-keys OLD NEW --responses FILE``: the scores a fixed key moved.

The same responses graded against the old key and the new one (two runs of the same exam,
see key/diff.py): every part whose key changed and whose score moved, with the student's
totals before and after, ready to be entered again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.grading.pipeline import grade, read_responses
from generator.key.diff import diff_keys, shown
from generator.key.read import read_key
from generator.run_folder import RunFolder
from generator.tables import csv_text


@dataclass(frozen=True)
class Regraded:
    """A part whose score moved when the new key graded the same response."""

    variant: str
    student_id: str
    label: str
    response: str
    old: float | None
    new: float | None
    old_total: float
    new_total: float


def regrade(old_run: Path, new_run: Path, responses_path: Path) -> list[Regraded]:
    """The responses graded against both keys: every changed part whose score moved
    (changed keys whose responses score the same are left out: nothing to re-enter)."""
    old_key, new_key = read_key(RunFolder(old_run).key), read_key(RunFolder(new_run).key)
    names = (str(old_run), str(new_run))
    changed = {(c.variant, c.label) for c in diff_keys(old_key, new_key, names=names)}
    responses = read_responses(responses_path, new_key)
    where = str(responses_path)
    before = {g.variant: g for g in grade(old_key, responses, where=where)}
    moved = []
    for after in grade(new_key, responses, where=where):
        was = before[after.variant]
        old_scores = {p.label: p.score for p in was.parts}
        for part in after.parts:
            old = old_scores.get(part.label)
            if (after.variant, part.label) in changed and old != part.score:
                moved.append(Regraded(after.variant, after.student_id, part.label,
                                      part.response, old, part.score, was.total,
                                      after.total))  # fmt: skip
    return moved


def regraded_csv(moved: list[Regraded]) -> str:
    """One row per score that moved, with the student's totals before and after."""
    rows = [(m.variant, m.student_id, m.label, m.response, shown(m.old), shown(m.new),
             m.old_total, m.new_total) for m in moved]  # fmt: skip
    return csv_text(rows, ("variant", "student_id", "label", "response", "old_score",
                           "new_score", "old_total", "new_total"))  # fmt: skip
