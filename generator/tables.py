"""CSV files people open in a spreadsheet: every table the tool writes, and the rows of
the ones it reads.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and
students choose their own names and responses: such a cell is written with a leading
apostrophe (OWASP's advice), unless it is a plain number such as ``-0.5``.  A cell that
holds a line break of any kind (a lone CR too, which a spreadsheet takes for the end of
the row, and whose next line could then start a formula) is quoted.  :func:`csv_text` is
the one writer of CSV; :func:`csv_records` the one reader.

Files are read as spreadsheets write them: lines may end in CR (Excel for Mac), LF or
CRLF, mixed; a cell may be as long as the file (a pasted essay); and a quote that opens a
cell and never closes it is an error naming its line, not the rest of the file swallowed
into one cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from generator.errors import ExamError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
INNER_FORMULA = re.compile(r"([;\t])([=+@-])")  # a formula where a ";"-locale splits
GUARDED_INNER = re.compile(r"([;\t])'([=+@-])")
NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
# A cell with a separator, a quote or a line break of any kind is written quoted: ";" and
# tab too, which spreadsheets in many locales take as the separator (a response
# "x;=1+1" would otherwise start a cell with a formula there).
QUOTED = re.compile('[,;\t"\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]')
LINE_END = re.compile(r"\r\n|\r|\n")  # as csv reads them, and spreadsheets write them
MAX_CELL_CHARS = 64 * 2**20  # the largest file the tool reads: a cell is never larger


def cell(value: object) -> object:
    """A value as a CSV cell no spreadsheet runs as a formula: a guard ``'`` before a
    formula's first character at its start, and after a ";" or a tab inside it (where a
    spreadsheet that splits at ";", as many locales do, would start a cell)."""
    if not isinstance(value, str):
        return value
    value = INNER_FORMULA.sub(r"\1'\2", value)
    if value[:1] in FORMULA_STARTS and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def uncell(text: str) -> str:
    """A cell as :func:`cell` wrote it, read back: its guards ``'`` taken off."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and not NUMBER.fullmatch(text[1:]):
        text = text[1:]
    return GUARDED_INNER.sub(r"\1\2", text)


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
    be titled by a blueprint); lines end in LF."""
    lines = [] if header is None else [_line(header)]
    lines.extend(_line(row) for row in rows)
    return "".join(lines)


def _line(row: Sequence[object]) -> str:
    """A row as a line of CSV (Python's csv.writer's rules, besides quoting every line
    break: csv.writer leaves a lone CR bare when lines end in LF)."""
    fields = [_field(value) for value in row]
    return (",".join(fields) if fields != [""] else '""') + "\n"  # a lone empty cell: ""


def _field(value: object) -> str:
    text = "" if value is None else str(cell(value))
    return '"' + text.replace('"', '""') + '"' if QUOTED.search(text) else text


def csv_records(text: str, where: str, error: type[ExamError], *, delimiter: str = ","
                ) -> list[tuple[int, list[str]]]:  # fmt: skip
    """Every record of a CSV text with the line it starts on, blank ones too: lines may
    end in CR, LF or CRLF, a cell may be as long as the file; a quote left open, or a
    character after a closing quote, is an ``error`` naming its line."""
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS))
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, strict=True,
                        delimiter=delimiter)  # fmt: skip
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if reader.line_num and "end of data" in str(exc):  # at the end of the text: open
            line = open_quote(text, start, delimiter)
            raise error(
                f"{where}, line {line}: a quoted cell starts here and never ends (the rest of "
                "the file would be read as that one cell); add its closing quote, and write "
                'a quote inside a quoted cell as two ("").'
            ) from None
        raise error(
            f"{where}, line {reader.line_num or start}: not valid CSV ({exc}); a quoted cell "
            "ends with a quote followed by a separator or a line end, and a quote inside it "
            'is written as two ("").'
        ) from None
    return records


def open_quote(text: str, start: int, delimiter: str) -> int:
    """The line of the quote that opens a cell ``text`` never closes, reading from line
    ``start`` (the record's first) by the rules csv.excel reads by (``start`` if none)."""
    rest = "\n".join(LINE_END.split(text)[start - 1 :])
    token = re.compile('"|\n|' + re.escape(delimiter))
    line, opened, quoted, field, at = start, start, False, 0, 0
    while True:
        if quoted:  # to the next quote: a doubled one is a quote in the cell
            end = rest.find('"', at)
            if end < 0:
                return opened
            line += rest.count("\n", at, end)
            quoted = rest.startswith('""', end)
            at = end + 1 + quoted
            continue
        found = token.search(rest, at)
        if found is None:
            return start
        at = found.end()
        if found.group() != '"':
            field, line = at, line + (found.group() == "\n")
        elif found.start() == field:  # a quote opens a cell only as its first character
            quoted, opened = True, line


def read_csv(text: str, where: str, error: type[ExamError]) -> list[list[str]]:
    """Every record of a CSV text (:func:`csv_records`), without its line."""
    return [cells for _, cells in csv_records(text, where, error)]


def plain(number: float | int | Decimal) -> str:
    """A number as LMS files and pages write it: no exponent, no trailing zeros."""
    return format(Decimal(str(number)).normalize(), "f")
