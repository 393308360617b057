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
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def cell(value: object) -> object:
    """A value as a CSV cell no spreadsheet runs as a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[object]], header: Sequence[str] | None = None) -> str:
    """A table as CSV text: the header as it is, every cell safe (:func:`cell`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()
