"""Grading sheets: the parts people grade, one CSV per part, read back by ``grade``.

``grade`` writes ``grades/sheets/<label>.csv`` for every part no kind can score (text
answers, code it cannot run): a row per student with the response beside the model
answer and the rubric, and an empty ``score`` column.  A grader fills in the scores (in
any spreadsheet) and runs ``grade`` again with the same responses: the filled-in scores
count in the totals, the gradebooks and the item analysis, and are written back into
the new sheets, so that grading can go on over several sittings.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from generator.files import read_text
from generator.grading.records import Graded, ResponsesError
from generator.key.records import Key
from generator.run_folder import GradesFolder
from generator.tables import csv_text

COLUMNS = ("variant", "student_id", "student_name", "label", "points", "rubric",
           "model_answer", "response", "why", "score")  # fmt: skip
MAX_SHEET_BYTES = 64 * 2**20

HandScores = dict[tuple[str, str], float]


def read_scores(grades: GradesFolder, graded: list[Graded]) -> HandScores:
    """The scores filled in the sheets of an earlier run (none when there are none); each
    must be a number from 0 to the part's points, on a row of a part people grade."""
    if not grades.sheets.is_dir():
        return {}
    pending = {(g.variant, p.label): p for g in graded for p in g.parts if p.score is None}
    scores: HandScores = {}
    for path in sorted(grades.sheets.glob("*.csv")):
        text = read_text(path, ResponsesError, limit=MAX_SHEET_BYTES, what="grading sheet",
                         encoding="utf-8-sig")  # fmt: skip
        for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            if not (row.get("score") or "").strip():
                continue
            slot = ((row.get("variant") or "").strip(), (row.get("label") or "").strip())
            if slot not in pending:
                raise ResponsesError(
                    f"{path}, line {line}: {slot[0]} {slot[1]} is not a part of this class "
                    "waiting for a person; keep the sheet's variant and label columns as written."
                )
            scores[slot] = _score(row["score"], pending[slot].points, f"{path}, line {line}")
    return scores


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
    """Put the graders' scores on the parts they graded."""
    for g in graded:
        for part in g.parts:
            if part.score is None and (g.variant, part.label) in scores:
                part.score = scores[g.variant, part.label]
                part.by_hand = True


def write_sheets(grades: GradesFolder, key: Key, graded: list[Graded]) -> None:
    """One sheet per part people grade, its scores so far filled in."""
    parts = {(v.variant, p.label): p for v in key.variants for _, p in v.parts}
    rows: dict[str, list[list[Any]]] = {}
    for g in graded:
        for part in g.parts:
            if part.score is None or part.by_hand:
                rubric = parts[g.variant, part.label].rubric
                rows.setdefault(part.label, []).append([
                    g.variant, g.student_id, g.student_name, part.label, f"{part.points:g}",
                    " ".join(rubric), part.expected, part.response, part.reason,
                    "" if part.score is None else f"{part.score:g}",
                ])  # fmt: skip
    if not rows:
        return
    grades.sheets.mkdir()
    for label, table in rows.items():
        grades.sheet(label).write_text(csv_text(table, COLUMNS), encoding="utf-8")
