"""``--templates DIR``: an institution's own cover, honor code, running head and foot, end of
a copy and extra preamble, without forking; the wrapper and its contracts stay.

The overrides here are written by hand, and what they must print is read off them: the
expected .tex of a cover is its literal text, and everything outside the cover page must
be the very text of a build without overrides.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator.render import pdf
from generator.render.latex import Document, render_tex
from generator.render.partials import PARTIALS
from generator.render.templating import check_layout
from generator.variants.assemble import build_exam
from generator.variants.roster import numbered
from generator.variants.seeding import Seeding

from .conftest import needs_tex
from .test_class import write_roster

TITLE = "Midterm Examination"  # the shipped blueprint's title
COVER = (
    "\\thispagestyle{foot}\n"
    "\\begin{center}{\\Huge\\bfseries \\institution}\\\\[1em]\n"
    "{\\Large \\VAR{blueprint.title|esc}}\\end{center}\n"
    "\\noindent This paper has \\exampagecount{} pages.\\par\\vfill\n"
    "\\noindent Candidate: \\BLOCK{if copy.names}\\usebox{\\examcovername}"
    "\\BLOCK{else}\\hrulefill\\BLOCK{endif}\\par\n"
)
HONOR = "\\noindent I will not cheat, on my honour as a Widget.\\par\n"
PREAMBLE = "\\newcommand{\\institution}{Widget University}\n"
FOOTER = "\\footer{\\examvariant}{Page \\thepage}{\\usebox{\\examnamebox}}\n"
COVER_TEX = (  # COVER as the .tex must hold it, for an exam without names
    "\\thispagestyle{foot}\n"
    "\\begin{center}{\\Huge\\bfseries \\institution}\\\\[1em]\n"
    f"{{\\Large {TITLE}}}\\end{{center}}\n"
    "\\noindent This paper has \\exampagecount{} pages.\\par\\vfill\n"
    "\\noindent Candidate: \\hrulefill\\par\n"
)
COPY_START = re.compile(r"\\xdef\\examcopystart\{[^\n]*\n")
QUESTIONS = "\\newpage\n\n\\begin{questions}"


def layout(folder: Path, **partials: str) -> Path:
    """A --templates folder holding ``partials`` (cover="..." is cover.tex.j2)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in partials.items():
        (folder / f"{name}.tex.j2").write_text(text, encoding="utf-8")
    return folder


def run(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          capture_output=True, text=True, env=env)  # fmt: skip


def error_line(result: subprocess.CompletedProcess) -> str:
    """The one Error: line a failed run printed (the public-mode warning aside)."""
    lines = [ln for ln in result.stderr.splitlines() if not ln.startswith("Warning: public")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def covers(tex: str) -> list[str]:
    """Each copy's cover page as the .tex holds it: from the copy's start to its first
    question."""
    return [tex[m.end() : tex.index(QUESTIONS, m.end())] for m in COPY_START.finditer(tex)]


def without_covers(tex: str) -> str:
    for cover in covers(tex):
        tex = tex.replace(cover, "<cover>", 1)
    return tex


def pages_of(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    return text.split("\f")[:-1]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """The seed-42 exam twice: with the shipped layout, and with its own cover and honor
    code (and the macro the cover uses, from the extra preamble)."""
    needs_tex()
    tmp = tmp_path_factory.mktemp("single")
    mine = layout(tmp / "layout", cover=COVER, honor_code=HONOR, preamble_extra=PREAMBLE)
    folders = []
    for name, extra in (("shipped", ()), ("mine", ("--templates", mine))):
        result = run("--seed", 42, "--public", "--out", tmp / name, *extra)
        assert result.returncode == 0, result.stderr
        (folder,) = (tmp / name).iterdir()
        folders.append(folder)
    return folders


@pytest.mark.parametrize("version", ["exam", "solutions"])
def test_the_cover_and_honor_code_are_replaced_in_the_tex(single, version):
    shipped, mine = ((f / f"{version}.tex").read_text(encoding="utf-8") for f in single)
    assert covers(mine) == [COVER_TEX + HONOR]
    assert "Full Points" in covers(shipped)[0] and "Signature" in covers(shipped)[0]
    assert without_covers(mine) == without_covers(shipped).replace(
        r"\csname endofdump", PREAMBLE + r"\csname endofdump"
    )


def test_the_key_does_not_depend_on_the_layout(single):
    shipped, mine = ((f / "key.json").read_bytes() for f in single)
    assert mine == shipped


@pytest.mark.parametrize("version", ["exam", "solutions"])
def test_the_cover_and_honor_code_are_replaced_in_the_pdf(single, version):
    shipped, mine = (pages_of(f / f"{version}.pdf") for f in single)
    cover = flat(mine[0])
    assert "Widget University" in cover and TITLE in cover
    assert "I will not cheat, on my honour as a Widget." in cover
    assert f"This paper has {len(mine)} pages." in cover
    assert "Full Points" not in cover and "Signature" not in cover
    assert mine[1:] == shipped[1:]  # every other page as the shipped layout prints it


def test_a_layout_builds_the_same_bytes_twice(tmp_path):
    mine = layout(tmp_path / "layout", cover=COVER, honor_code=HONOR, footer=FOOTER)
    built = []
    for out in ("one", "two"):
        result = run("--seed", 9, "--public", "--no-pdf", "--out", tmp_path / out,
                     "--templates", mine)  # fmt: skip
        assert result.returncode == 0, result.stderr
        (folder,) = (tmp_path / out).iterdir()
        built.append({p.name: p.read_bytes() for p in folder.glob("*.tex")})
    assert built[0] == built[1] and len(built[0]) == 2


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"covr.tex.j2": COVER}, "covr.tex.j2: not a partial of the exam's layout; name it one of"),
        ({"exam.tex.j2": "x"}, "exam.tex.j2: not a partial of the exam's layout; name it one of"),
        ({"cover.tex": COVER}, "cover.tex: not a partial"),
        ({"notes.txt": "x", "cover.tex.j2": COVER}, "notes.txt: not a partial"),
    ],
    ids=["typo", "the wrapper", "no .j2", "a stray file"],
)
def test_a_file_that_is_no_partial_is_refused(tmp_path, files, message):
    folder = tmp_path / "layout"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 2
    line = error_line(result)
    assert message in line
    for name in PARTIALS:  # every allowed name is listed
        assert name in line
    assert not (tmp_path / "out").exists()


def test_a_missing_folder_is_refused(tmp_path):
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", tmp_path / "nowhere")  # fmt: skip
    assert result.returncode == 2
    assert f"{tmp_path / 'nowhere'}: no such folder" in error_line(result)
    assert not (tmp_path / "out").exists()


def test_a_link_out_of_the_folder_is_refused(tmp_path):
    secret = tmp_path / "elsewhere.tex.j2"
    secret.write_text("not yours to read\n", encoding="utf-8")
    folder = tmp_path / "layout"
    folder.mkdir()
    (folder / "cover.tex.j2").symlink_to(secret)
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 2
    assert "cover.tex.j2: a link to" in error_line(result) and "outside" in error_line(result)
    assert not (tmp_path / "out").exists()


def test_a_link_inside_the_folder_is_followed(tmp_path):
    folder = layout(tmp_path / "layout", honor_code=HONOR)
    (folder / "end.tex.j2").symlink_to(folder / "honor_code.tex.j2")
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (tex,) = (tmp_path / "out").glob("*/exam.tex")
    assert tex.read_text(encoding="utf-8").count(HONOR) == 2  # on the cover and at the end


def test_a_fifo_is_refused_without_waiting_for_it(tmp_path):
    folder = tmp_path / "layout"
    folder.mkdir()
    os.mkfifo(folder / "cover.tex.j2")
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 2
    assert "cover.tex.j2: not a regular file" in error_line(result)


def test_a_partial_cannot_include_files_outside_the_layout(tmp_path):
    folder = layout(tmp_path / "layout", end='\\BLOCK{include "../exam.tex.j2"}\n')
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 1
    line = error_line(result)
    assert f"{folder / 'end.tex.j2'}, line 1: a partial can include, import or extend only" in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "line", "said"),
    [
        ("fine\n\\BLOCK{if copy.names}\nno endif\n", 3, "Unexpected end of template"),
        ("fine\n\\VAR{blueprint.title|esc\n", 2, "unexpected"),
        ("fine\nstill fine\n\\VAR{nosuch.field}\n", 3, "UndefinedError: 'nosuch' is undefined"),
    ],
    ids=["unclosed block", "unclosed variable", "undefined name"],
)
def test_a_mistake_in_a_partial_is_one_error_line_naming_its_file(tmp_path, text, line, said):
    folder = layout(tmp_path / "layout", cover=text)
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 1
    found = error_line(result)
    assert found.startswith(f"Error: {folder.absolute() / 'cover.tex.j2'}, line {line}: ")
    assert said in found and found.endswith("; fix the template.")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_second_page_count_on_the_cover_is_refused(tmp_path):
    folder = layout(tmp_path / "layout", honor_code="Pages: \\exampagecount{}\n")
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 1
    line = error_line(result)
    assert "more than once" in line and str(folder.absolute() / "honor_code.tex.j2") in line


def test_a_cover_without_a_page_count_typesets(tmp_path):
    """The page count is filled in only when the cover prints it."""
    needs_tex()
    folder = layout(tmp_path / "layout", cover="\\thispagestyle{foot}\nJust a cover.\n")
    result = run("--seed", 1, "--public", "--no-solutions", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (exam,) = (tmp_path / "out").glob("*/exam.pdf")
    cover = flat(pages_of(exam)[0])
    assert "Just a cover." in cover and "pages" not in cover


def test_a_partial_added_later_replaces_the_shipped_one(tmp_path, bank, blueprint):
    """Templates are cached per folder: one written after a first build is still read."""
    seeding = Seeding(2)
    exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 1))
    folder = check_layout(layout(tmp_path / "layout", cover=COVER))
    before = render_tex(exam, exam.variants, Document(templates=folder))
    assert "Signature" in before and HONOR not in before
    layout(folder, honor_code=HONOR)
    after = render_tex(exam, exam.variants, Document(templates=folder))
    assert "Signature" not in after and covers(after) == [COVER_TEX + HONOR]


def test_the_cached_format_is_keyed_on_the_preamble(tmp_path, bank, blueprint):
    """A layout that leaves the preamble alone shares the shipped format; one with an
    extra preamble gets a format of its own, and never the shipped one."""
    needs_tex()
    engine = pdf.check_tex()
    seeding = Seeding(2)
    exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 1))
    shipped = render_tex(exam, exam.variants)
    cover_folder = check_layout(layout(tmp_path / "a", cover=COVER))
    cover_only = render_tex(exam, exam.variants, Document(templates=cover_folder))
    extra_folder = check_layout(layout(tmp_path / "b", preamble_extra=PREAMBLE))
    extra = render_tex(exam, exam.variants, Document(templates=extra_folder))
    assert pdf.format_name(cover_only, engine) == pdf.format_name(shipped, engine)
    assert pdf.format_name(extra, engine) != pdf.format_name(shipped, engine)
    tex = tmp_path / "shipped.tex"
    tex.write_text(shipped, encoding="utf-8")
    fmt = pdf.precompiled_format(tex, engine)
    assert fmt is not None
    assert pdf.made_for(fmt, shipped, engine) and pdf.made_for(fmt, cover_only, engine)
    assert not pdf.made_for(fmt, extra, engine)


NAMES = ["Zoë Ångström", "Bob O'Neil", "Ann Lee"]


@pytest.fixture(scope="module")
def named_class(tmp_path_factory):
    """A roster class with its own cover, honor code, footer and preamble, and a cache of
    its own (so that the formats in it were made by this build)."""
    needs_tex()
    tmp = tmp_path_factory.mktemp("class")
    mine = layout(tmp / "layout", cover=COVER, honor_code=HONOR, footer=FOOTER,
                  preamble_extra=PREAMBLE)  # fmt: skip
    roster = write_roster(tmp / "roster.csv", NAMES)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "cache")}
    result = run("--seed", 5, "--public", "--roster", roster, "--out", tmp / "out",
                 "--templates", mine, "--workers", 2, env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp / "out").iterdir()
    students = sorted((folder / "students").iterdir())  # s0000_..., s0001_..., s0002_...
    return folder, students, mine, roster, tmp


def test_every_copy_of_a_class_has_one_page_layout(named_class):
    """The same pages, each question starting on the same page, in every student's exam;
    and each copy's cover says its own page count."""
    _, students, *_ = named_class
    layouts = set()
    for student in students:
        for version in ("exam", "solutions"):
            pages = pages_of(student / f"{version}.pdf")
            assert f"This paper has {len(pages)} pages." in flat(pages[0])
            if version == "exam":
                starts = tuple(i for i, page in enumerate(pages, 1) for line in page.splitlines()
                               if line.lstrip().startswith("Question "))  # fmt: skip
                layouts.add((len(pages), starts))
    assert len(layouts) == 1, layouts
    assert len(next(iter(layouts))[1]) == 7


def test_names_are_on_the_own_cover_and_every_own_footer(named_class):
    _, students, *_ = named_class
    for i, (name, student) in enumerate(zip(NAMES, students, strict=True)):
        for version in ("exam", "solutions"):
            pages = [flat(p).replace("\u2019", "'") for p in pages_of(student / f"{version}.pdf")]
            assert f"Candidate: {name}" in pages[0]
            assert "Widget University" in pages[0] and "honour as a Widget" in pages[0]
            for number, page in enumerate(pages, 1):
                assert page.endswith(f"Page {number} {name} (s{i:04d})"), (number, page[-80:])


def test_the_print_file_holds_every_own_cover(named_class):
    folder, *_ = named_class
    text = flat("\f".join(pages_of(folder / "print.pdf"))).replace("\u2019", "'")
    for name in NAMES:
        assert f"Candidate: {name}" in text
    assert text.count("Widget University") == len(NAMES)


def test_a_rebuilt_copy_has_the_class_builds_bytes(named_class):
    """--variant-id with the same layout gives the very PDFs of the class build."""
    _, students, mine, roster, tmp = named_class
    code = students[1].name.split("_")[-1]
    result = run("--seed", 5, "--public", "--roster", roster, "--out", tmp / "again",
                 "--templates", mine, "--variant-id", code)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp / "again").iterdir()
    for version in ("exam", "solutions"):
        assert (folder / f"{version}.pdf").read_bytes() == (
            students[1] / f"{version}.pdf"
        ).read_bytes()
    assert "Widget University" in (folder / "exam.tex").read_text(encoding="utf-8")


def test_the_class_build_makes_a_format_for_the_own_preamble(named_class):
    """The chunks' preamble holds the layout's extra lines, and its format was built (a
    chunk is never handed the shipped layout's format, which would skip those lines)."""
    folder, *_ = named_class
    chunk = (folder / "tex" / "0000.tex").read_text(encoding="utf-8")
    assert PREAMBLE + r"\csname endofdump" in chunk
    name = pdf.format_name(chunk, pdf.check_tex())
    tmp = named_class[-1]
    assert [p.name for p in (tmp / "cache" / "exam-variant-generator").glob("*.fmt")] == [
        f"{name}.fmt"
    ]


def test_the_static_preamble_is_the_same_in_every_document_of_a_layout(tmp_path, bank, blueprint):
    """The class build makes one format for all its documents: an extra preamble must not
    differ between versions, duplex padding or copies (it is given no variables)."""
    folder = check_layout(layout(tmp_path / "layout", preamble_extra=PREAMBLE, cover=COVER))
    seeding = Seeding(4)
    exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 2))
    preambles = set()
    for versions in (("exam",), ("solutions",), ("exam", "solutions")):
        for duplex in (False, True):
            for copies in (exam.variants[:1], exam.variants):
                document = Document(versions=versions, duplex=duplex, templates=folder)
                source = render_tex(exam, copies, document)
                preambles.add(source.split(pdf.DUMP_MARKER)[0])
    (preamble,) = preambles
    assert preamble.endswith(PREAMBLE)
