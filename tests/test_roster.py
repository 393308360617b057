"""Rosters read by the standard CSV rules, and student-chosen text kept from harming the
instructor's spreadsheet."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.tables import cell
from generator.variants.roster import RosterError, read_roster


def roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # doubled quotes inside a quoted cell (the header alone has none: sniffing it lost them)
        ('Student ID,Name\ns1,"Robert ""Bob"" Smith"\n', [("s1", 'Robert "Bob" Smith')]),
        ('Student ID;Name\ns1;"Smith; Jr., ""Bob"""\n', [("s1", 'Smith; Jr., "Bob"')]),
        # a line break inside a quoted name is a space in print
        ('Student ID,Name\ns1,"Ann\nLee"\ns2,Bo\n', [("s1", "Ann Lee"), ("s2", "Bo")]),
        # a trailing separator on every line, and CRLF line ends
        ("Student ID,Name,\r\ns1,Ann,\r\ns2,Bo,\r\n", [("s1", "Ann"), ("s2", "Bo")]),
        # a student whose row has a cell "Points Possible" is a student
        ("Student,ID,Note\nAnn,s1,Points Possible\n", [("s1", "Ann")]),
        # blank lines and a byte-order mark
        ("\ufeffStudent ID,Name\n\ns1,Ann\n\n", [("s1", "Ann")]),
    ],
)
def test_rosters_are_read_by_the_csv_rules(tmp_path, text, expected):
    students = read_roster(roster(tmp_path, text))
    assert [(s.id, s.name) for s in students] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('Student ID,Name\n"s1\n2",Ann\n', "line 2: student id 's1\\n2' holds a line break"),
        ("Student ID,Name\ns1,Ann,extra\n", "line 2: 3 cells, but the header names 2 columns"),
        ("Student ID,Name\ns\u200b1,Ann\n", "holds a line break or an invisible character"),
        ("Student ID,Name\n", "no students"),
        ("", "no students"),
    ],
)
def test_roster_faults_name_their_line(tmp_path, text, message):
    path = roster(tmp_path, text)
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_an_endless_file_is_refused_at_once(tmp_path):
    started = time.monotonic()
    with pytest.raises(RosterError, match="not a regular file"):
        read_roster(Path("/dev/zero"))
    big = tmp_path / "big.csv"
    big.write_bytes(b"Student ID,Name\n" + b"s,x\n" * (5 * 2**20))
    with pytest.raises(RosterError, match="larger than 16 MB"):
        read_roster(big)
    assert time.monotonic() - started < 60  # it did not read until memory ran out


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t'=1"),  # a spreadsheet splitting at tabs would start a cell at =
        ("x;=1+1", "x;'=1+1"),  # one splitting at ";" (many locales) likewise
        ("-0.5", "-0.5"),  # a number is a number
        ("-1e-3", "-1e-3"),
        ("Ann", "Ann"),
        (-2, -2),
    ],
)
def test_csv_cells_never_run_as_formulas(value, written):
    assert cell(value) == written


def test_a_student_named_like_a_formula_is_text_in_the_answer_key(tmp_path):
    path = roster(tmp_path, 'Student ID,Name\n@s1,"=1+2"\n')
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--public", "--seed", "1", "--roster", str(path),
         "--out", str(tmp_path / "out"), "--no-pdf"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (answer_key,) = (tmp_path / "out").glob("*/answer-key.csv")
    rows = list(csv.DictReader(answer_key.open(encoding="utf-8")))
    assert {(r["student_id"], r["student_name"]) for r in rows} == {("'@s1", "'=1+2")}
    negative = [r["answer"] for r in rows if r["answer"].startswith("-")]
    assert all(float(a) < 0 for a in negative)  # negative numbers are left as numbers


def test_a_wide_roster_names_its_twice_named_column(tmp_path):
    """The sweep: the check for a column named twice compared each column with all those
    before it (100,000 columns took 68 s).  It counts them once now; the error still names
    the column."""
    header = ["id", "name", *(f"extra {n}" for n in range(60_000)), "extra 17"]
    path = tmp_path / "roster.csv"
    path.write_text(",".join(header) + "\n" + ",".join(["s1", "Ann", *[""] * 60_001]) + "\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(RosterError, match="two columns are named 'extra 17'"):
        read_roster(path)
