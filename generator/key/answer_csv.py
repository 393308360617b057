"""The answer-key CSV: one row per copy and part, what a grader or a scanner needs.

Derived from the key (its variants as key.json holds them), like every other output;
its cells are safe to open in a spreadsheet (generator/tables.py).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from generator.kinds import KINDS
from generator.tables import cell

CSV_COLUMNS = ("variant", "student_id", "student_name", "question", "label", "kind", "points",
               "bonus", "answer", "tolerance_abs", "tolerance_rel")  # fmt: skip
POOL_COLUMN = "pool_variant"  # a pool run's last column: the pool copy the question is from


def answer_key_csv(key: dict[str, Any]) -> str:
    """One row per copy and part: what a grader or a scanner needs."""
    return csv_rows(key["variants"], header=True, pool="pool" in key["exam"])


def csv_rows(variants: list[dict[str, Any]], *, header: bool = False, pool: bool = False) -> str:
    """The answer-key rows of some key variants (class-build workers write their own);
    ``pool``: the run drew its questions from a variant pool, and a last column names
    the pool copy of each row's question (the LMS exports name their items by it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(CSV_COLUMNS + (POOL_COLUMN,) * pool)
    for variant in variants:
        student = variant.get("student") or {"id": "", "name": ""}
        for question in variant["questions"]:
            source = (question["pool"]["variant"],) if pool else ()
            for part in question["parts"]:
                tolerance = part["tolerance"] or {"abs": "", "rel": ""}
                writer.writerow([cell(value) for value in (
                    variant["variant"], student["id"], student["name"], question["id"],
                    part["label"], part["kind"], part["points"], part["bonus"],
                    answer_text(part), tolerance["abs"], tolerance["rel"], *source,
                )])  # fmt: skip
    return buffer.getvalue()


def answer_text(part: dict[str, Any]) -> str:
    """A part's answer as one cell of text, as its kind writes it."""
    return KINDS[part["kind"]].cell(part)


def write(key: dict[str, Any], run_folder: Path, out: Path) -> list[Path]:
    """The writer of generator.lms.WRITERS: ``answer-key.csv`` in ``out``."""
    path = out / "answer-key.csv"
    path.write_text(answer_key_csv(key), encoding="utf-8")
    return [path]
