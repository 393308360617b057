"""The template's contracts with the code that reads its output, checked.

Other modules rely on the LaTeX the template and the bank write: the precompiled format
on the static preamble before ``endofdump`` (pdf.py), the page ranges each copy writes
(builds/unique._split), ``\\titledquestion`` at the start of a line (builds/unique._failure
names the question of a TeX error by counting them), and the verbatim and figure markup
that the HTML of the LMS exports converts (lms/html.py).
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from generator.key.write import build_key
from generator.render import pdf
from generator.render.latex import Document, render_tex
from generator.variants.assemble import build_exam
from generator.variants.roster import numbered
from generator.variants.seeding import Seeding

from .conftest import needs_tex

SEEDS = range(0, 40, 3)


@pytest.fixture(scope="module")
def exams(bank, blueprint):
    """A few numbered copies of a few seeds, as a class build draws them."""
    built = []
    for seed in SEEDS:
        seeding = Seeding(seed)
        built.append(build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 2)))
    return built


def test_the_static_preamble_is_the_same_in_every_document(exams):
    """Everything before the marker goes into one cached format: if a seed, a copy or a
    version changed it, every document would need its own format (or use a wrong one)."""
    preambles = set()
    for exam in exams:
        for versions in (("exam",), ("solutions",), ("exam", "solutions")):
            for duplex in (False, True):
                source = render_tex(exam, exam.variants, Document(versions=versions, duplex=duplex))
                assert source.count(pdf.DUMP_MARKER) == 1
                preambles.add(source.split(pdf.DUMP_MARKER)[0])
    assert len(preambles) == 1


def test_every_question_starts_a_line_with_titledquestion(exams):
    """A TeX error is put in 'Question N' by counting these lines before it."""
    for exam in exams:
        source = render_tex(exam, exam.variants[:1], Document(versions=("solutions",)))
        starts = [line for line in source.split("\n") if line.startswith(r"\titledquestion")]
        assert len(starts) == len(exam.blueprint.question_ids)
        assert source.count(r"\titledquestion") == len(starts)  # none hides mid-line


def test_code_is_one_verbatim_block_in_a_code_environment(exams):
    """The HTML converter and the Moodle/Canvas code boxes read code from exactly this
    markup: a verbatim block directly inside the code environment, on lines of its own."""
    for exam in exams:
        for text in _texts(build_key(exam)):
            assert text.count(r"\begin{verbatim}") == text.count(r"\end{verbatim}")
            opened = text.count(r"\begin{verbatim}")
            assert text.count("\\begin{code}\\begin{verbatim}\n") == opened
            assert text.count("\n\\end{verbatim}\\end{code}") == opened


def test_every_figure_of_a_question_is_one_picture_in_its_text(exams):
    """The n-th picture of a question's text becomes its n-th figure's image in the LMS
    exports."""
    picture = re.compile(
        r"\\begin\{center\}\n\\setlength\{\\unitlength\}\{1bp\}\n\\begin\{picture\}.*?"
        r"\\end\{picture\}\n\\end\{center\}",
        re.S,
    )
    for exam in exams:
        for variant in build_key(exam)["variants"]:
            for question in variant["questions"]:
                texts = [question["stem"]]
                texts += [p["context"] + p["prompt"] for p in question["parts"]]
                text = "\n".join(texts)
                assert len(picture.findall(text)) == len(question["figures"])
                assert text.count(r"\begin{picture}") == len(question["figures"])


def test_each_copy_records_its_pages_once_per_version(tmp_path, bank, blueprint):
    """The .ranges file gives each copy and version its first and last page, back to back
    from page 1 to the last page: the class build cuts the PDF there."""
    needs_tex()
    import pikepdf

    seeding = Seeding(11)
    exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 3))
    tex = tmp_path / "three.tex"
    tex.write_text(render_tex(exam, exam.variants, Document(versions=("exam", "solutions"))))
    pdf.compile_pdf(tex, pdf.check_tex())
    ranges = pdf.page_ranges(tex)
    with pikepdf.open(tex.with_suffix(".pdf")) as document:
        pages = len(document.pages)
    assert len(ranges) == 6
    assert ranges[0][0] == 1 and ranges[-1][1] == pages
    for (_, last), (first, _) in pairwise(ranges):
        assert first in (last + 1, last + 2)  # the next copy starts on an odd page
        assert first % 2 == 1


def _texts(key):
    for variant in key["variants"]:
        for question in variant["questions"]:
            yield question["stem"]
            for part in question["parts"]:
                yield from (part["context"], part["prompt"], part["answer_latex"])
