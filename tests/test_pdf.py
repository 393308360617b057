"""The compiled PDFs, read back as a student and a grader would see them."""

from __future__ import annotations

import json
import subprocess

import pytest

from .conftest import needs_tex

TIMES = "\u00d7"  # how pdftotext reads \times
FOLDER = "cs230-midterm-winter-2020-seed42"


def pdftotext(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def page_count(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(next(ln.split()[-1] for ln in info.stdout.splitlines() if ln.startswith("Pages")))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    needs_tex()
    out = tmp_path_factory.mktemp("pdf")
    from click.testing import CliRunner

    from generator.cli import cli as main

    result = CliRunner().invoke(main, ["--seed", "42", "--out", str(out)])
    assert result.exit_code == 0, result.output
    folder = out / FOLDER
    key = json.loads((folder / "key.json").read_text())
    return folder, key, pdftotext(folder / "exam.pdf"), pdftotext(folder / "solutions.pdf")


def computed_answers(key):
    """Numbers a student must work out (not read off the stem), large enough to be unambiguous."""
    for question in key["variants"][0]["questions"]:
        for part in question["parts"]:
            if part["answer_in_stem"] or part["kind"] not in ("integer", "vector"):
                continue
            values = part["answer"] if part["kind"] == "vector" else [part["answer"]]
            yield from (v for v in values if v >= 100)


def test_the_run_writes_the_five_files(built):
    """And no figures/: the PDFs draw their own (tests/test_startup.py: --figures)."""
    folder, *_ = built
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["exam.pdf", "exam.tex", "key.json", "solutions.pdf", "solutions.tex"]


def test_exam_has_a_cover_page_with_points_table_and_name_lines(built):
    folder, key, exam, _ = built
    cover = exam.split("\f")[0]
    for text in (
        "CS230: Deep Learning",
        "Midterm Examination",
        "Full Points",
        "Your Score",
        "Neural Network",
        "CNNs",
        "Total",
        "Name:",
        "SUNetID:",
        "Signature:",
    ):
        assert text in cover
    assert page_count(folder / "exam.pdf") >= 10
    total_row = next(line for line in cover.splitlines() if "Total" in line)
    assert str(key["exam"]["points"]) in total_row


def test_exam_shows_this_variants_numbers_and_no_answers(built):
    _, key, exam, _ = built
    by_id = {q["id"]: q["params"] for q in key["variants"][0]["questions"]}
    q1, q7 = by_id["cs230-w2020/neural-network"], by_id["cs230-w2020/cnns"]
    assert f"{q1['n_num']} numeric input features" in exam
    assert f"{q1['n_h']} hidden neurons" in exam
    assert f" {TIMES} ".join(str(q7[k]) for k in ("height", "width", "channels")) in exam
    assert "Solution" not in exam and "Grading notes" not in exam
    numbers = list(computed_answers(key))
    assert numbers, "the variant should have computed answers to look for"
    for value in numbers:
        assert str(value) not in exam


def test_solutions_show_every_answer(built):
    _, key, _, solutions = built
    for value in computed_answers(key):
        assert str(value) in solutions
    q7 = key["variants"][0]["questions"][6]
    shape = next(p["answer"] for p in q7["parts"] if p["part"] == "c")
    assert f" {TIMES} ".join(map(str, shape)) in solutions
    assert solutions.count("Solution:") == sum(
        len(q["parts"]) for q in key["variants"][0]["questions"]
    )
    assert "Grading notes" in solutions


@pytest.fixture(scope="module")
def class_document(tmp_path_factory):
    """24 copies, exams then solutions, typeset in one document as a class build does."""
    needs_tex()
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.render import pdf
    from generator.render.latex import Document, render_tex
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(5)
    exam = build_exam(load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, 24))
    tex = tmp_path_factory.mktemp("class") / "class.tex"
    tex.write_text(render_tex(exam, exam.variants, Document(versions=("exam", "solutions"))))
    pdf.compile_pdf(tex, pdf.check_tex())
    return tex


def test_no_line_runs_into_the_margin(class_document):
    """TeX reports every line wider than its column (a formula or figure sticking into the
    margin) as an overfull box: 24 variants, exam and solutions, must give none."""
    log = class_document.with_suffix(".log").read_text(errors="replace")
    overfull = [line for line in log.splitlines() if line.startswith("Overfull \\hbox")]
    assert not overfull, overfull[:5]


def test_every_copy_has_the_same_pages(class_document):
    """Every question starts on the same page of every student's exam, and every exam has
    as many pages: one grading template serves the whole class once scanned."""
    from generator.render import pdf

    pages = pdftotext(class_document.with_suffix(".pdf")).split("\f")
    layouts = set()
    for first, last in pdf.page_ranges(class_document)[:24]:  # the exams
        starts = tuple(number - first + 1 for number in range(first, last + 1)
                       for line in pages[number - 1].splitlines()
                       if line.lstrip().startswith("Question "))  # fmt: skip
        layouts.add((last - first + 1, starts))
    assert len(layouts) == 1, layouts
    assert len(next(iter(layouts))[1]) == 7  # the seven questions were found


def test_the_cached_format_is_stored_uncompressed_and_stale_ones_go(tmp_path, monkeypatch):
    """TeX gzips formats and spends most of its start-up inflating them; the cache keeps
    them plain (zlib reads a plain file as is).  Building one prunes month-old formats."""
    import os
    import time

    needs_tex()
    from generator import resources
    from generator.render import pdf

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cache = resources.cache_dir()
    cache.mkdir(parents=True)
    stale, recent = cache / "exam-0000000000000000.fmt", cache / "exam-1111111111111111.fmt"
    for old, days in ((stale, pdf.STALE_DAYS + 1), (recent, pdf.STALE_DAYS - 1)):
        old.write_bytes(b"old format")
        when = time.time() - days * 86400
        os.utime(old, (when, when))
    tex = tmp_path / "doc.tex"
    tex.write_text(
        "\\documentclass{article}\n\\csname endofdump\\endcsname\n"
        "\\begin{document}Hello.\\end{document}\n"
    )
    fmt = pdf.precompiled_format(tex, pdf.check_tex())
    assert fmt is not None and fmt.parent == cache
    assert fmt.read_bytes()[:2] != b"\x1f\x8b"  # not gzip
    assert not stale.exists() and recent.exists()
    assert pdf.compile_pdf(tex, pdf.check_tex(), fmt).read_bytes()[:5] == b"%PDF-"
    os.utime(fmt, (when, when))  # a format in use is never stale: using it touches it
    assert pdf.precompiled_format(tex, pdf.check_tex()) == fmt
    assert fmt.stat().st_mtime > time.time() - 60


def test_the_cached_format_compresses_faster_and_draws_the_same_pages(tmp_path, monkeypatch):
    """The format sets zlib's level (pdf.COMPRESS_LEVEL): the PDF typeset with it draws
    exactly what it draws at pdfTeX's own level 9 (each page's content, decompressed), in
    streams compressed less (other bytes)."""
    import pikepdf

    needs_tex()
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.render import pdf
    from generator.render.latex import Document, render_tex
    from generator.variants.assemble import build_exam
    from generator.variants.seeding import Seeding

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bank = load_bank()
    exam = build_exam(load_blueprint(None, bank), bank, Seeding(3))
    source = render_tex(exam, exam.variants, Document(versions=("exam", "solutions")))
    drawn, typeset = [], []
    for level in (9, pdf.COMPRESS_LEVEL):
        monkeypatch.setattr(pdf, "COMPRESS_LEVEL", level)
        tex = tmp_path / f"level{level}" / "doc.tex"
        tex.parent.mkdir()
        tex.write_text(source, encoding="utf-8")
        fmt = pdf.precompiled_format(tex, pdf.check_tex())
        assert fmt is not None
        typeset.append(pdf.compile_pdf(tex, pdf.check_tex(), fmt))
        with pikepdf.open(typeset[-1]) as document:
            drawn.append([page.Contents.read_bytes() for page in document.pages])
    assert pdf.COMPRESS_LEVEL < 9
    assert drawn[0] == drawn[1] and len(drawn[0]) > 20
    assert typeset[0].read_bytes() != typeset[1].read_bytes()


@pytest.mark.parametrize("name", ["exam.pdf", "solutions.pdf"])
def test_every_font_is_an_embedded_outline_font(built, name):
    """A font TeX has no outlines for comes out as a Type 3 bitmap (blurry, and made by
    METAFONT on first use): the typewriter code of questions 3 and 4 once did."""
    folder = built[0]
    fonts = subprocess.run(["pdffonts", str(folder / name)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]  # fmt: skip
    assert fonts, "no fonts listed"
    assert not [f for f in fonts if "Type 3" in f], fonts
    assert all(" yes " in f for f in fonts), fonts  # embedded


MM = 72 / 25.4  # PDF points in a millimetre
WORD = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'


def blank_room(pdf) -> list[float]:
    """For each code blank of a PDF (a run of underscores, as the student's copy prints a
    line to fill in), the room to write it, in mm: from the bottom of the nearest text
    above it to the bottom of the blank, as pdftotext's word boxes place them."""
    import re

    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout  # fmt: skip
    room = []
    for page in boxes.split("<page ")[1:]:
        words = [(float(y1), w) for _, _, _, y1, w in re.findall(WORD, page)]
        for bottom, word in words:
            if re.fullmatch(r"_{8,}", word):
                above = [b for b, _ in words if b < bottom - 1]
                room.append((bottom - max(above)) / MM)
    return room


@pytest.mark.parametrize("seed", [42, 43, 1000])
def test_every_code_blank_is_a_handwriting_line_of_8_mm(tmp_path, seed):
    """3(g) and 4(b) are written by hand: each blank line of their code has at least 8 mm
    to write in (a plain code line has 3.9 mm), measured on the student's PDF."""
    needs_tex()
    from click.testing import CliRunner

    from generator.cli import cli as main

    result = CliRunner().invoke(main, ["--seed", str(seed), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (folder,) = tmp_path.iterdir()
    key = json.loads((folder / "key.json").read_text())
    blanks = sum(len(p["answer"]) for q in key["variants"][0]["questions"]
                 for p in q["parts"] if p["kind"] == "code")  # fmt: skip
    room = blank_room(folder / "exam.pdf")
    assert len(room) == blanks  # every blank of 3(g) and 4(b) found
    assert min(room) >= 8, room
