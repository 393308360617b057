"""The answer-key CSV: one row per copy and part, what a grader or a scanner needs.

Derived from the key (its variants as key.json holds them), like every other output;
its cells are safe to open in a spreadsheet (generator/tables.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.key.records import Key, PartInfo, QuestionInfo, StudentInfo, VariantInfo
from generator.kinds import KINDS
from generator.tables import csv_text

CSV_COLUMNS = ("variant", "student_id", "student_name", "question", "label", "kind", "points",
               "bonus", "answer", "tolerance_abs", "tolerance_rel")  # fmt: skip
POOL_COLUMN = "pool_variant"  # a pool run's last column: the pool copy the question is from


def answer_key_csv(key: Key) -> str:
    """One row per copy and part: what a grader or a scanner needs."""
    return csv_rows(key.variants, header=True, pool=key.pooled)


def csv_rows(variants: Iterable[VariantInfo], *, header: bool = False, pool: bool = False) -> str:
    """The answer-key rows of some key variants (class-build workers write their own);
    ``pool``: the run drew its questions from a variant pool, and a last column names
    the pool copy of each row's question (the LMS exports name their items by it)."""
    rows = [_row(variant, question, part, pool) for variant in variants
            for question, part in variant.parts]  # fmt: skip
    return csv_text(rows, CSV_COLUMNS + (POOL_COLUMN,) * pool if header else None)


def _row(variant: VariantInfo, question: QuestionInfo, part: PartInfo, pool: bool) -> list:
    student = variant.student or StudentInfo(id="", name="", extra={})
    tolerance = part.tolerance
    return [
        variant.variant, student.id, student.name, question.id, part.label, part.kind,
        part.points, part.bonus, answer_text(part), tolerance.abs if tolerance else "",
        tolerance.rel if tolerance else "", *([question.source] if pool else []),
    ]  # fmt: skip


def answer_text(part: PartInfo) -> str:
    """A part's answer as one cell of text, as its kind writes it."""
    return KINDS[part.kind].cell(part)


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``csv`` format's writer (generator.lms): ``answer-key.csv`` in ``out``."""
    path = out / "answer-key.csv"
    path.write_text(answer_key_csv(key), encoding="utf-8")
    return [path]
