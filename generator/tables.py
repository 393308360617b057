"""CSV files people open in a spreadsheet: every table the tool writes, and the rows of
the ones it reads.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
students choose their own names and responses: such a cell is written with a leading
apostrophe (OWASP's advice), unless it is a plain number such as ``-0.5``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from generator.errors import ExamError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def cell(value: object) -> object:
    """A value as a CSV cell no spreadsheet runs as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def uncell(text: str) -> str:
    """A cell as :func:`cell` wrote it, read back: its guard ``'`` taken off."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and not NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


def data_rows(rows: list[list[str]], where: str, fix: str,
              error: type[ExamError]) -> Iterator[tuple[int, list[str]]]:  # fmt: skip
    """The rows after a header, with their line numbers, blank rows passed over; a row
    whose width is not the header's is an ``error`` in one sentence ending with ``fix``."""
    width = len(rows[0])
    for line, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        if len(row) != width:
            raise error(f"{where}, line {line}: {len(row)} cells where the header has "
                             f"{width}; {fix}")  # fmt: skip
        yield line, row


def csv_text(rows: Iterable[Sequence[object]], header: Sequence[str] | None = None) -> str:
    """A table as CSV text, every cell safe (:func:`cell`), the header's too (a column may
    be titled by a blueprint)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow([cell(value) for value in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def plain(number: float | int | Decimal) -> str:
    """A number as LMS files and pages write it: no exponent, no trailing zeros."""
    return format(Decimal(str(number)).normalize(), "f")
