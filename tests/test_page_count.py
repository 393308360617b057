"""The cover's "The exam contains N pages" and each copy's END OF PAPER, read from the PDFs.

TeX runs one pass, so N is filled in at the end of each copy (templates/exam.tex.j2,
\\exampagecount): every copy of a class document, exams then solutions, must say its own
page count, with and without the students' names (pictures) on the cover.  The blank page
a class build adds for duplex printing is not part of a copy and is not counted.  The
code of Questions 3 and 4 is read back too: straight quotes, each function on one page.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import needs_tex
from .test_class import write_roster

NAMES = ["O'Brien", "José Núñez", "Zoë #1 {x}", "a_b & c", "50% Smith"]
SENTENCE = {
    "exam": "The exam contains {} pages including this cover page.",
    "solutions": "These solutions contain {} pages including this cover page.",
}
FUNCTIONS = {  # the first and last line of each code block (4(b) returns the output, 3(g)
    # stores the weight, by the name its copy draws: out, Z_tilde, ...; w, param, theta, ...)
    "def optim_adam(": r"weights_dict\[weight_name\] = \w+",
    "def forward_batchnorm(": r"(?m)^\s*return \w+\s*$",
}
QUOTED = ("if mode == 'train':", "elif mode == 'test':")  # Question 4's code, in every variant


def pages_of(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


def check_copy(pdf, version: str, name: str | None = None) -> int:
    """One student's exam or solutions: the cover says its page count, END OF PAPER ends
    its last page, its code has straight quotes and each function stays on one page."""
    pages = pages_of(pdf)
    count = len(pages)
    cover = flat(pages[0])
    assert SENTENCE[version].format(count) in cover, (pdf, count, cover[:600])
    if name is not None:
        # the name pictures and the count, both drawn (Typst sets the name's ' curly)
        assert f"Name: {name}" in cover.replace("\u2019", "'")
    whole = "\f".join(pages)
    assert whole.count("END OF PAPER") == 1, pdf
    last = pages[-1].split("\n")
    (at,) = [i for i, line in enumerate(last) if "END OF PAPER" in line]
    assert last[at].strip() == "END OF PAPER"
    after = [line for line in last[at + 1 :] if line.strip()]
    assert len(after) == 1 and f"Page {count}" in after[0], after  # only the footer follows
    for first, end in FUNCTIONS.items():
        (page,) = [p for p in pages if first in p]  # each function printed once
        assert re.search(end, page), (pdf, first)  # and whole on that page
    for line in QUOTED:
        assert line in whole, (pdf, line)
    assert not [ln for ln in whole.split("\n") if "\u2019" in ln and "mode ==" in ln]
    assert "cache_dict['mu']" in whole and "\u2019mu\u2019" not in whole
    return count


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    needs_tex()
    from click.testing import CliRunner

    from generator.cli import cli

    out = tmp_path_factory.mktemp("single")
    result = CliRunner().invoke(cli, ["--seed", "42", "--out", str(out)])
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


@pytest.fixture(scope="module", params=[("numbered", 3), ("roster", 3), ("roster", 5)],
                ids=["class3", "roster3", "roster5"])  # fmt: skip
def klass(request, tmp_path_factory):
    """A class build, with or without names on the covers.  A class of 3 is typeset one
    student a document (exam, then solutions); of 5, two a document (two exams, then two
    solutions: the second exam starts after a blank page when the first has odd pages)."""
    needs_tex()
    kind, size = request.param
    tmp = tmp_path_factory.mktemp(kind)
    who = ["--variants", str(size)]
    if kind == "roster":
        who = ["--roster", str(write_roster(tmp / "roster.csv", NAMES[:size]))]
    command = [sys.executable, "-m", "generator", "--seed", "3", *who, "--out", str(tmp / "out")]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp / "out").iterdir()
    return folder, NAMES[:size] if kind == "roster" else [None] * size


def test_a_single_exam_says_its_page_count(single):
    counts = [check_copy(single / f"{v}.pdf", v) for v in ("exam", "solutions")]
    assert counts[0] != counts[1]  # each document counts its own pages


def test_every_copy_of_a_class_says_its_page_count(klass):
    folder, names = klass
    students = sorted((folder / "students").iterdir())  # s0000_..., s0001_..., or v0_...
    for name, student in zip(names, students, strict=True):
        for version in ("exam", "solutions"):
            check_copy(student / f"{version}.pdf", version, name)


def test_the_print_files_padding_is_not_counted(klass):
    """Each exam of the print file is followed by a blank page when its count is odd (the
    next one starts on an odd page): the cover's N is the copy's pages without it."""
    folder, _ = klass
    pages = pages_of(folder / "print.pdf")
    covers = [i for i, page in enumerate(pages) if "Full Points" in page]
    assert len(covers) == len(klass[1])
    for start, end in zip(covers, [*covers[1:], len(pages)], strict=True):
        count = int(flat(pages[start]).split("The exam contains ")[1].split()[0])
        padding = pages[start + count : end]
        assert [p.strip() for p in padding] == [""] * (count % 2), (start, count, end)
        assert f"Page {count}" in pages[start + count - 1]


def test_every_copy_of_one_document_says_its_page_count(tmp_path, bank, blueprint):
    """Three copies in each version in one document, as a chunk of a class build: each
    copy's pages (its recorded range, page numbers starting at 1) say their own count."""
    needs_tex()
    import pikepdf

    from generator.render import pdf
    from generator.render.latex import Document, render_tex
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    seeding = Seeding(7)
    exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 3))
    tex = tmp_path / "chunk.tex"
    document = Document(versions=("exam", "solutions"), duplex=True)
    tex.write_text(render_tex(exam, exam.variants, document))
    pdf.compile_pdf(tex, pdf.check_tex())
    ranges = pdf.page_ranges(tex)
    assert len(ranges) == 6 and ranges[1][0] > 1  # the second exam is not at page 1
    with pikepdf.open(tex.with_suffix(".pdf")) as document:
        for i, (first, last) in enumerate(ranges):
            copy = tmp_path / f"copy{i}.pdf"
            with pikepdf.new() as part:
                part.pages.extend(document.pages[first - 1 : last])
                part.save(copy)
            version = "exam" if i < 3 else "solutions"
            assert check_copy(copy, version) == last - first + 1
