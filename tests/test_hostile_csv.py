"""Hostile CSV, third sweep (issue 28): the files ``grade`` reads as spreadsheets write them
(CR line ends, a cell as long as an essay, a quote left open), the CSV it writes safe to
open in any of them (a lone CR quoted), report text read in linear time, and every
``Error:`` line one line that shows what the file holds rather than acting on the terminal.

Runs go through :func:`generator.cli.main`, in this process: the CLI's own exit code and
``Error:`` line, without a second and a half of start-up per case.
"""

from __future__ import annotations

import csv
import io
import re
import time
from pathlib import Path

import pytest

from generator.cli import main
from generator.lms import reports
from generator.tables import csv_text, uncell

MINI = 'name = "mini"\ntitle = "Mini"\n[[questions]]\nid = "cs230-w2020/cnns"\n'
COPIES = 3


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """Three copies of the one-question exam (Question 7, whose 1(a) a person grades)."""
    from click.testing import CliRunner

    from generator.cli import cli

    out = tmp_path_factory.mktemp("hostile-csv")
    blueprint = out / "mini.toml"
    blueprint.write_text(MINI, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--public", "--seed", "1", "--variants", str(COPIES),
                                      "--blueprint", str(blueprint), "--no-pdf",
                                      "--out", str(out / "out")])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = (out / "out").iterdir()
    return folder


@pytest.fixture
def fresh(run: Path, tmp_path: Path) -> Path:
    """The run without an earlier grade's folder."""
    grades = run / "grades"
    if grades.is_symlink() or grades.is_file():
        grades.unlink()
    elif grades.exists():
        import shutil

        shutil.rmtree(grades)
    return run


def grade(run: Path, responses: Path, capsys) -> tuple[int, str]:
    """``generate-exam grade``'s exit code and stderr."""
    try:
        main(["grade", str(run), "--responses", str(responses), "--force"])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


ROWS = [["student", "label", "response"], ["v0", "1(b)", "(f - 1)/2"], ["v1", "1(b)", "f"],
        ["v2", "1(a)", "fewer channels,\nsame height and width"]]  # fmt: skip


def encoded(rows: list[list[str]], end: str, quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=end, quoting=quoting).writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize("ends", ["\r", "mixed"])
def test_responses_with_cr_or_mixed_line_ends_grade_as_lf(fresh, tmp_path, capsys, ends):
    """Excel for Mac's "CSV (Macintosh)" ends lines in CR: graded as the LF file is (before:
    a traceback, new-line character seen in unquoted field)."""
    lf = tmp_path / "lf.csv"
    lf.write_bytes(encoded(ROWS, "\n"))
    assert grade(fresh, lf, capsys) == (0, "")
    expected = (fresh / "grades/grades.csv").read_bytes()
    hostile = tmp_path / "hostile.csv"
    if ends == "\r":
        hostile.write_bytes(encoded(ROWS, "\r"))
    else:
        lines = encoded(ROWS, "\n").decode().split("\n")
        hostile.write_text(lines[0] + "\r" + lines[1] + "\r\n" + "\n".join(lines[2:]), "utf-8")
    code, err = grade(fresh, hostile, capsys)
    assert (code, err) == (0, ""), err
    assert (fresh / "grades/grades.csv").read_bytes() == expected


def test_a_grading_sheet_saved_with_cr_line_ends_is_read(fresh, tmp_path, capsys):
    """A sheet filled in and saved by Excel for Mac: its scores count."""
    path = tmp_path / "r.csv"
    path.write_bytes(encoded(ROWS, "\n"))
    assert grade(fresh, path, capsys)[0] == 0
    sheet = fresh / "grades/sheets/1-a.csv"  # 1(a), the written part
    rows = list(csv.reader(io.StringIO(sheet.read_bytes().decode(), newline="")))
    rows[1][rows[0].index("score")] = "1"
    variant = rows[1][rows[0].index("variant")]
    sheet.write_bytes(encoded(rows, "\r"))
    assert grade(fresh, path, capsys) == (0, "")
    grades = list(csv.DictReader(io.StringIO((fresh / "grades/grades.csv").read_text("utf-8"))))
    assert [float(g["1(a)"]) for g in grades if g["variant"] == variant] == [1.0]


def test_a_cell_longer_than_the_csv_modules_limit_is_read(fresh, tmp_path, capsys):
    """A pasted essay of 200,000 characters is a response like any (before: a traceback,
    field larger than field limit)."""
    essay = "word " * 40_000
    path = tmp_path / "essay.csv"
    path.write_bytes(encoded([*ROWS[:3], ["v2", "1(a)", essay]], "\r\n"))
    code, err = grade(fresh, path, capsys)
    assert (code, err) == (0, ""), err
    sheet = fresh / "grades/sheets/1-a.csv"  # 1(a), the written part
    rows = list(csv.DictReader(io.StringIO(sheet.read_bytes().decode(), newline="")))
    assert [r["response"] for r in rows] == [essay]


def spreadsheet_rows(text: str) -> list[list[str]]:
    """Rows as a spreadsheet splits them: at CR, LF or CRLF outside quotes."""
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def test_every_csv_written_quotes_a_lone_cr(fresh, tmp_path, capsys):
    """A response ``'\\r=1+1`` is one quoted cell in feedback.csv and the sheet, never a row
    ending at the CR and a next row starting with a formula (before: written bare)."""
    hostile = "'\r=1+1"
    path = tmp_path / "r.csv"
    path.write_bytes(encoded([*ROWS[:3], ["v2", "1(a)", hostile]], "\n", csv.QUOTE_ALL))
    assert grade(fresh, path, capsys) == (0, "")
    sheet = fresh / "grades/sheets/1-a.csv"  # 1(a), the written part
    for written in (fresh / "grades/feedback.csv", sheet):
        text = written.read_bytes().decode("utf-8")
        assert f'"{hostile}"' in text
        rows = spreadsheet_rows(text)
        assert all(len(row) == len(rows[0]) for row in rows), written
        assert not any(re.match("[=+@-]", c) and not re.fullmatch(r"-?[\d.]+", c)
                       for row in rows for c in row), written  # fmt: skip


@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n", "\u2028", "\x0b", "\x85"])
def test_the_one_csv_writer_quotes_every_line_break(brk):
    text = csv_text([["a" + brk + "=1+1", "-0.5", "=x", "plain"]])
    assert text == '"a' + brk + "=1+1\",-0.5,'=x,plain\n"


def test_the_quoting_rule_is_written_once():
    """Every CSV the tool writes goes through generator.tables.csv_text: no other writer."""
    root = Path(__file__).resolve().parent.parent / "generator"
    writers = re.compile(r"csv\.writer|DictWriter|lineterminator")
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if p.name != "tables.py" and writers.search(p.read_text("utf-8"))]  # fmt: skip
    assert found == []


@pytest.mark.parametrize(
    "text",
    ["<" * 125_000, "<img" * 40_000, "1" * 125_000 + "(a) not a code"],
)
def test_report_text_is_read_in_linear_time(text):
    """Five essay cells of 125,000 '<' took over 30 s in a pool run's Canvas report: the tag
    pattern rescanned the run from each '<' (a title's digits likewise)."""
    started = time.process_time()
    for _ in range(5):
        reports.fingerprint(text)
        reports.TITLE.search(text)
    assert time.process_time() - started < 1.0


def test_the_tag_pattern_still_drops_tags():
    assert reports.fingerprint("<p>A <b>bold</b> &amp; x<y <br/>z") == "aboldxyz"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('student,label,response\nv0,1(b),"(f - 1)/2\nv1,1(b),f\nv2,1(b),g\n', 2),
        ('student,label,response\r"v0",1(a),"two\rlines"\rv1,1(b),"f\r', 4),
        ('student,label,response\nv0,1(a),"a ""quoted"" word"\nv1,1(a),x"y,"z\n\nv2\n', 3),
    ],
)
def test_an_unterminated_quote_is_an_error_naming_its_line(fresh, tmp_path, capsys, text, line):
    """The rest of the file is not swallowed into one response (before: "Graded 1
    students", the others silently gone)."""
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode())
    code, err = grade(fresh, path, capsys)
    assert code == 1
    assert err.startswith(f"Error: {path}, line {line}: a quoted cell starts here and never ends")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (fresh / "grades").exists()


def test_a_linked_grades_folder_is_refused_with_a_fix_grade_has(fresh, tmp_path, capsys):
    """grade has no --out: the refusal names what to do instead (before: "choose another
    --out"), and follows the link nowhere."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (fresh / "grades").symlink_to(elsewhere)
    path = tmp_path / "r.csv"
    path.write_bytes(encoded(ROWS, "\n"))
    code, err = grade(fresh, path, capsys)
    (fresh / "grades").unlink()
    assert code == 1 and err.startswith(f"Error: {fresh / 'grades'}: a link or a file")
    assert "--out" not in err and "remove the link" in err
    assert list(elsewhere.iterdir()) == []


def test_terminal_escapes_in_a_cell_are_shown_not_sent(fresh, tmp_path, capsys):
    """A student cell holding an OSC sequence (it retitles the terminal) and a bell is
    echoed escaped (before: raw)."""
    path = tmp_path / "r.csv"
    path.write_bytes(b"student,label,response\nv0,1(z)\x1b]0;X\x07\xe2\x80\xae,3\n")
    code, err = grade(fresh, path, capsys)
    assert code == 1
    assert "'1(z)\\x1b]0;X\\x07\\u202e' is not a part of v0's copy" in err
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f\u202e]", err) and err.count("\n") == 1


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_cell_holding_another_locales_separator_is_quoted(fresh, tmp_path, capsys, separator):
    """Spreadsheets in many locales split a CSV at ";" (or a tab), quotes or not: the
    sweep's response ``x;=1+1;`` was written bare into feedback.csv and the sheet, where
    such a spreadsheet reads a cell ``=1+1``.  It is one quoted cell now, its formula
    guarded where that spreadsheet would start a cell, and grade reads it back whole."""
    hostile = f"x{separator}=1+1{separator}"
    written_as = f"x{separator}'=1+1{separator}"
    path = tmp_path / "r.csv"
    path.write_bytes(encoded([*ROWS[:3], ["v2", "1(a)", hostile]], "\n", csv.QUOTE_ALL))
    assert grade(fresh, path, capsys) == (0, "")
    for written in (fresh / "grades/feedback.csv", fresh / "grades/sheets/1-a.csv"):
        text = written.read_text(encoding="utf-8")
        assert f'"{written_as}"' in text, written
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=separator) for c in row]
        assert not any(c.startswith("=") for c in cells), written
    assert uncell(written_as) == hostile


def test_terminal_escapes_in_a_response_are_shown_not_sent_in_the_summary(fresh, tmp_path, capsys):
    """The sweep again: grade's summary of what a person must read quotes a response
    ("unreadable: '...' is no number"), and printed its escape sequences raw."""
    path = tmp_path / "r.csv"
    path.write_bytes(b"student,label,response\nv0,1(d),\x1b]8;;\x07x\x1b[2J\n")
    try:
        main(["grade", str(fresh), "--responses", str(path), "--force"])
    except SystemExit as exc:
        assert not exc.code
    out = capsys.readouterr().out
    assert "unreadable: '\\x1b]8' is no number" in out  # its first cell, escaped
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f]", out)
