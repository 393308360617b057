"""The answer-key CSV's cells, read by two audiences: a spreadsheet must run none of them as
a formula (OWASP's CSV injection guidance: a cell that starts with =, +, -, @, a tab or a
CR), and a script must read the answers as written, with no guard to take off where the
cell is no formula.

Before, a vector whose first entry was negative was written ``'-1.95; 8.05; -0.95`` (the
guard a formula gets), which a script read as text starting with a quote.  Now a plain
number is written as it is (a spreadsheet reads ``-3.9`` as the number), a vector in
brackets (``[-3.9; 9.1]``: a cell starting with ``[`` is no formula), and a real formula is
still guarded.  Expected cells are written by hand from that rule.
"""

from __future__ import annotations

import csv
import io

import pytest

from generator.key.answer_csv import answer_text
from generator.kinds import KINDS
from generator.tables import csv_text, uncell

from .conftest import part_info

RISKY = ("=", "+", "-", "@", "\t", "\r")  # OWASP's list of a formula's first characters


def cells(text: str) -> list[str]:
    """The cells of a one-row CSV as a script reads them (Python's csv module)."""
    (row,) = csv.reader(io.StringIO(text, newline=""))
    return row


@pytest.mark.parametrize("number", [-3.9, "-3.9", -7, "-1e-05", "-0.5", ".5"])
def test_a_plain_negative_number_is_written_as_is(number):
    assert cells(csv_text([[number]])) == [str(number)]


@pytest.mark.parametrize(
    "kind, answer, written",
    [
        ("vector", [-3.9, 9.1, -0.95], "[-3.9; 9.1; -0.95]"),
        ("vector", [3350, 15], "[3350; 15]"),
        ("shape", [23, 31, 13], "[23; 31; 13]"),
    ],
)
def test_a_vector_is_written_in_brackets_a_script_parses(kind, answer, written):
    part = part_info(kind, answer, tolerance={"abs": 0.0005, "rel": 0.0})
    (cell,) = cells(csv_text([[answer_text(part)]]))
    assert cell == written
    assert cell[:1] not in RISKY  # no formula, so no guard
    assert [float(v) for v in cell.strip("[]").split(";")] == [float(v) for v in answer]
    assert KINDS[kind].score(part, cell) == 1.0  # grade reads the key's cell as a response


@pytest.mark.parametrize(
    "hostile, written",
    [
        (
            '=HYPERLINK("http://example.com/x","click")',
            '\'=HYPERLINK("http://example.com/x","click")',
        ),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("-3.9; 9.1", "'-3.9; 9.1"),  # no number: a spreadsheet may try it as a formula
        ("\t=1+1", "'\t'=1+1"),  # and after the tab, where a tab-split sheet starts a cell
    ],
)
def test_a_real_formula_is_still_guarded(hostile, written):
    """A model answer (a text part's, an author's) that starts like a formula gets the
    guard ``'``, and :func:`generator.tables.uncell` takes it off again."""
    part = part_info("text", hostile)
    (cell,) = cells(csv_text([[answer_text(part)]]))
    assert cell == written
    assert uncell(cell) == hostile
