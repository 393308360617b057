"""Grading sheets: the parts people grade, one CSV per part, read back by ``grade``.

``grade`` writes ``grades/sheets/<label>.csv`` for every part a person grades (text
answers, code it cannot run, a response it cannot read, a rubric that asks a person): a
row per student with the response beside that student's own model answer and the rubric,
why a person grades it, and an empty ``score`` column.

Equal responses to the same model answer form a **group** (the same text, however it is
spaced or capitalised): the sheet lists the largest groups first, and a score filled in on
one row of a group decides every row of it that has no score of its own (shown in their
``group_score``), so that a grader decides once per group, and a corrected score reaches
the whole group.  A grader fills in the scores (in any spreadsheet) and runs
``grade`` again: the scores count in the totals, the gradebooks and the item analysis, and
are written back into the new sheets.  A group's decision is kept by what was decided
(the part, the model answer and the response), not by the row: it holds across re-grades,
for a student added to the responses later too, and lapses when the response changes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.files import read_text
from generator.grading.records import Graded, ResponsesError
from generator.run_folder import GradesFolder
from generator.tables import csv_records, csv_text, uncell

COLUMNS = ("group", "in_group", "variant", "student_id", "student_name", "label", "points",
           "rubric", "model_answer", "response", "why", "score", "group_score")  # fmt: skip
MAX_SHEET_BYTES = 64 * 2**20

Decided = tuple[str, str, str]  # the part's label, the model answer, the response as grouped


@dataclass
class HandScores:
    """What graders decided: a row's own score (with what it was given for), and each
    group's (its first scored row)."""

    rows: dict[tuple[str, str], tuple[float, Decided]] = field(default_factory=dict)
    groups: dict[Decided, float] = field(default_factory=dict)


def decided(label: str, expected: str, response: str) -> Decided:
    """What a group's decision is about: equal responses, however spaced or capitalised."""
    return label, expected, " ".join(unicodedata.normalize("NFKC", response).casefold().split())


def read_scores(grades: GradesFolder, graded: list[Graded]) -> HandScores:
    """The scores filled in the sheets of an earlier run (none when there are none); each
    must be a number from 0 to the part's points, on a row of a part people grade."""
    scores = HandScores()
    for folder in (grades.root, grades.sheets):
        if folder.is_symlink():
            raise ResponsesError(
                f"{folder}: a link, not a folder of this run (its files could be anyone's); "
                "remove the link and grade again."
            )
    if not grades.sheets.is_dir():
        return scores
    pending = {(g.variant, p.label): p for g in graded for p in g.parts if p.score is None}
    for path in sorted(grades.sheets.glob("*.csv")):
        text = read_text(path, ResponsesError, limit=MAX_SHEET_BYTES, what="grading sheet",
                         encoding="utf-8-sig", under=grades.root.parent)  # fmt: skip
        for line, row in _rows(text, str(path)):
            if not (row.get("score") or "").strip():
                continue
            slot = ((row.get("variant") or "").strip(), (row.get("label") or "").strip())
            if slot not in pending:
                raise ResponsesError(
                    f"{path}, line {line}: {slot[0]} {slot[1]} is not a part of this class "
                    "waiting for a person; keep the sheet's variant and label columns as written."
                )
            score = _score(row["score"], pending[slot].points, f"{path}, line {line}")
            group = decided(slot[1], uncell(row.get("model_answer") or ""),
                            uncell(row.get("response") or ""))  # fmt: skip
            scores.rows[slot] = (score, group)
            scores.groups.setdefault(group, score)
    return scores


def _rows(text: str, where: str) -> list[tuple[int, dict[str, str]]]:
    """A sheet's rows after its header, by column, with the line each starts on."""
    (_, header), *body = csv_records(text, where, ResponsesError) or [(1, [])]
    return [(line, dict(zip(header, cells, strict=False))) for line, cells in body]


def _score(text: str, points: float, where: str) -> float:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 <= value <= Decimal(str(points)):
        raise ResponsesError(
            f"{where}: score '{text.strip()}' is not a number from 0 to {points:g}; fix it."
        )
    return float(value)


def apply(graded: list[Graded], scores: HandScores) -> None:
    """Put the graders' scores on the parts they graded: a row's own (while its response
    is the one scored), else its group's; a score a group gave is marked as such, so that
    the next sheets leave it to the group (a corrected group score reaches every row)."""
    for g in graded:
        for part in g.parts:
            if part.score is not None:
                continue
            group = decided(part.label, part.expected, part.response)
            own, given_for = scores.rows.get((g.variant, part.label), (None, None))
            if own is not None and given_for == group:
                part.score, part.by_hand = own, True
            elif group in scores.groups:
                part.score, part.by_hand, part.by_group = scores.groups[group], True, True


def write_sheets(grades: GradesFolder, graded: list[Graded]) -> None:
    """One sheet per part people grade, its scores so far filled in, its rows by group
    (the largest first, so that the first rows decide the most students)."""
    by_label: dict[str, dict[Decided, list[list[Any]]]] = {}
    for g in graded:
        for part in g.parts:
            if part.score is None or part.by_hand:
                group = decided(part.label, part.expected, part.response)
                by_label.setdefault(part.label, {}).setdefault(group, []).append([
                    g.variant, g.student_id, g.student_name, part.label, f"{part.points:g}",
                    " ".join(part.rubric), part.expected, part.response, part.reason,
                    "" if part.score is None or part.by_group else f"{part.score:g}",
                    f"{part.score:g}" if part.by_group and part.score is not None else "",
                ])  # fmt: skip
    if not by_label:
        return
    grades.sheets.mkdir()
    for label, groups in by_label.items():
        ordered = sorted(groups.values(), key=len, reverse=True)  # stable: first seen first
        table = [[f"g{n}", len(rows), *row] for n, rows in enumerate(ordered, 1) for row in rows]
        grades.sheet(label).write_text(csv_text(table, COLUMNS), encoding="utf-8")
