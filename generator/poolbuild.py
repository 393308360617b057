"""Variant pools for large classes (``--pool K``): K variants of each question, typeset once.

A class in unique variants typesets every page of every student's exam and solutions.
With a pool, each question has K variants (the questions of K pool copies, drawn and
solved as any copy is) and each student draws one of them per question, by a weight
keyed by the secret, the student's code and the question's id: adding or removing
students never changes anyone else's draws.  Seven questions with K = 50 make 50^7,
about 8 x 10^11, combinations.

A student's PDF is laid in three layers, each typeset once where it can be:

- body: the pool copies' question pages, with neither head nor foot, one document per
  chunk of pool copies holding both versions;
- frame: each student's cover (name, code, page count) and one page holding their
  running head and foot without the page number, a document per chunk of students;
- numbers: the running foot's "Page N", N = 2 up to the longest copy, one document.

A student's pages are their cover, then the body pages of the questions they drew, each
with their frame and its page number laid over it as PDF forms (pikepdf).  The key, the
answer CSV and the LMS exports come from each student's entry as in a unique build; each
question's entry names the pool copy it comes from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf

from . import classbuild, keys, names, pdf
from .answer_csv import csv_rows
from .assemble import Exam, PoolPick, Variant, build_exam
from .bank import Bank
from .blueprint import Blueprint
from .errors import ExamError, LatexError
from .figures import write_figures
from .latex import render_tex
from .roster import Assignment
from .seeding import Seeding

MAX_POOL = 1000  # variants per question: more would be a unique build's work
MAX_FRAMES = 100  # students per frame document (a frame is a cover and one page)
POOL_DIR = "pool"  # under the run's tex/: the pool's bodies and the page numbers


class PoolError(ExamError):
    """A variant pool cannot be built as asked."""


@dataclass(frozen=True)
class Pool:
    """The pool's copies, drawn and solved, and every student's copy made of their picks."""

    exam: Exam  # the K pool copies
    students: tuple[Variant, ...]


def check_poolable(plan: Blueprint, size: int) -> None:
    """A pool gives question n of some pool copy to every student's question n, which needs
    the same questions in the same order on every copy."""
    if plan.draws:
        raise PoolError(
            f"{plan.path}: --pool draws each question's variant per student, but this "
            "blueprint draws or shuffles its questions; use a blueprint that lists each "
            "question with id, or build unique variants (no --pool)."
        )
    if not 2 <= size <= MAX_POOL:
        raise PoolError(f"--pool {size}: give a pool of 2 to {MAX_POOL} variants per question.")


def draw_pool(
    plan: Blueprint, bank: Bank, seeding: Seeding, assignments: Sequence[Assignment], size: int
) -> Pool:
    """The pool's K copies and each student's copy of picks from it."""
    check_poolable(plan, size)
    copies = [Assignment(seeding.pool_code(k)) for k in range(size)]
    exam = build_exam(plan, bank, seeding, assignments=copies)
    return Pool(exam, tuple(compose(exam, seeding, a) for a in assignments))


def compose(pool: Exam, seeding: Seeding, assignment: Assignment) -> Variant:
    """A student's copy: question n from the pool copy their weight for it picks."""
    size = len(pool.variants)
    questions, picks = [], []
    for n, qv in enumerate(pool.variants[0].questions):
        index = seeding.weight(assignment.variant_id, "pool", qv.question.id) % size
        questions.append(pool.variants[index].questions[n])
        picks.append(PoolPick(index, pool.variants[index].variant_id))
    return Variant(assignment, tuple(questions), tuple(picks))


# (pool copy index, version, question number) -> (body PDF, first page, last page)
PageMap = dict[tuple[int, str, int], tuple[Path, int, int]]


@dataclass(frozen=True)
class _Body:
    """One document of the pool's question pages: some pool copies, every version."""

    index: int
    copies: tuple[int, ...]
    folder: Path
    engine: str | None
    fmt: Path | None
    versions: tuple[str, ...]
    templates: Path | None


@dataclass(frozen=True)
class _Frames:
    """One document of students' frames, and their PDFs assembled from the layers."""

    index: int
    students: tuple[int, ...]
    folder: Path
    engine: str | None
    fmt: Path | None
    versions: tuple[str, ...]
    templates: Path | None
    figures: bool
    pages: PageMap
    numbers: Path | None


_STATE: dict[str, Any] = {}  # the pool and the key's header: forked workers start with it


def build_pool(
    pool: Pool,
    header: dict[str, Any],
    tmp: Path,
    engine: str | None,
    *,
    versions: tuple[str, ...],
    figures: bool,
    workers: int,
    names_typeset: bool,
    progress: Callable[[int], None],
    templates: Path | None = None,
) -> classbuild.ChunksDone:
    """Typeset the pool's layers into ``tmp`` and assemble every student's PDFs from them;
    write answer-key.csv; return the key's entries and the print file's parts, as a unique
    class build does (classbuild.build_chunks)."""
    _STATE.update(pool=pool, header=header)
    (tmp / classbuild.TEX_DIR / POOL_DIR).mkdir(parents=True)
    fmt = classbuild.format_for(pool.exam, tmp, engine, templates) if engine else None
    if figures:
        write_figures(pool.exam.variants, tmp)
    bodies = [_Body(i, chunk, tmp, engine, fmt, versions, templates)
              for i, chunk in enumerate(_chunks(len(pool.exam.variants),
                                                classbuild.chunk_size))]  # fmt: skip
    pages: PageMap = {}
    for found in classbuild.run_jobs(typeset_body, bodies, workers):
        pages.update(found)
    numbers = _numbers(pool.exam, pages, tmp, engine, fmt, templates) if engine else None
    frames = [_Frames(i, chunk, tmp, engine, fmt, versions, templates, figures, pages, numbers)
              for i, chunk in enumerate(_chunks(len(pool.students), frame_chunk))]  # fmt: skip
    results = []
    for result in classbuild.run_jobs(typeset_frames, frames, workers,
                                      names_typeset=names_typeset):  # fmt: skip
        results.append(result)
        progress(result.copies)
    return classbuild.collect(results, tmp, print_file=engine is not None)


def frame_chunk(students: int) -> int:
    """Students per frame document: a function of the class size only (determinism)."""
    return max(1, min(MAX_FRAMES, -(-students // classbuild.MIN_CHUNKS)))


def _chunks(count: int, size_of: Callable[[int], int]) -> list[tuple[int, ...]]:
    size = size_of(count)
    return [tuple(range(i, min(i + size, count))) for i in range(0, count, size)]


def typeset_body(job: _Body) -> PageMap:
    """Typeset some pool copies' question pages; where each question's pages are."""
    pool: Pool = _STATE["pool"]
    copies = [pool.exam.variants[i] for i in job.copies]
    tex = job.folder / classbuild.TEX_DIR / POOL_DIR / f"body-{job.index:04d}.tex"
    source = render_tex(pool.exam, copies, versions=job.versions, layer="body",
                        templates=job.templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    if job.engine is None:
        return {}
    _compile(tex, source, job.engine, job.fmt, f"pool copies {job.copies[0]} to {job.copies[-1]}")
    lines = tex.with_suffix(".questions").read_text().split("\n")
    starts = iter(int(line.split()[1]) for line in lines if line.strip())
    ranges = iter(pdf.page_ranges(tex))
    found: PageMap = {}
    for version in job.versions:
        for index in job.copies:
            first, last = next(ranges)
            count = len(pool.exam.variants[index].questions)
            begins = [next(starts) for _ in range(count)]
            ends = [b - 1 for b in begins[1:]] + [last]
            for number, (begin, end) in enumerate(zip(begins, ends, strict=True), start=1):
                found[(index, version, number)] = (tex.with_suffix(".pdf"), begin, end)
            assert begins[0] == first, "a copy's first question starts its pages"
    _tidy(tex, ".questions")
    return found


def _numbers(exam: Exam, pages: PageMap, tmp: Path, engine: str, fmt: Path | None,
             templates: Path | None) -> Path:  # fmt: skip
    """The page numbers' document: "Page N" alone in the running foot, N = 2 to the last
    page of the longest copy (a one-page cover, then every question's longest variant)."""
    longest: dict[tuple[str, int], int] = {}
    for (_, version, number), (_, first, last) in pages.items():
        longest[(version, number)] = max(longest.get((version, number), 0), last - first + 1)
    last_page = 1 + max(sum(n for (v, _), n in longest.items() if v == version)
                        for version, _ in longest)  # fmt: skip
    tex = tmp / classbuild.TEX_DIR / POOL_DIR / "numbers.tex"
    source = render_tex(exam, [], versions=(), layer="numbers", last_page=last_page,
                        templates=templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    _compile(tex, source, engine, fmt, "the page numbers")
    _tidy(tex)
    return tex.with_suffix(".pdf")


def typeset_frames(job: _Frames) -> classbuild.ChunkResult:
    """Typeset some students' frames and assemble each one's PDFs from the three layers."""
    pool: Pool = _STATE["pool"]
    students = [pool.students[i] for i in job.students]
    tex = job.folder / classbuild.TEX_DIR / f"{job.index:04d}.tex"
    result = classbuild.ChunkResult(job.index, len(students), tex.with_suffix(".key"),
                                    tex.with_suffix(".csv"))  # fmt: skip
    entries = [keys.checked_entry(_STATE["header"], v, figures=job.figures) for v in students]
    result.key_file.write_bytes(keys.join_entries(keys.encode_variant(e) for e in entries))
    result.csv_file.write_text(csv_rows(entries), encoding="utf-8")
    counts = [{version: 1 + sum(_length(job.pages[(pick.index, version, n)])
                                for n, pick in enumerate(v.picks, start=1))
               for version in job.versions} for v in students]  # fmt: skip
    source = render_tex(pool.exam, students, versions=job.versions, layer="frame",
                        page_counts=counts, templates=job.templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    if job.engine is None or job.numbers is None:
        return result
    for variant in students:
        if (student := variant.assignment.student) is not None:
            names.write_pages(tex.parent, variant.variant_id, student.name, student.id)
    _compile(tex, source, job.engine, job.fmt, f"the covers of students {job.index}")
    exams = _assemble_all(tex, students, job)
    result.pdf = tex.with_name(f"{tex.stem}-print.pdf")
    result.exam_pages = classbuild.print_part(exams, result.pdf)
    _tidy(tex)
    tex.with_suffix(".pdf").unlink()
    return result


def _length(found: tuple[Path, int, int]) -> int:
    return found[2] - found[1] + 1


def _assemble_all(tex: Path, students: list[Variant], job: _Frames) -> list[Path]:
    """Every student's PDFs of the chunk; the exam PDFs, for the print file."""
    ranges = iter(pdf.page_ranges(tex))
    exams = []
    bodies: dict[Path, pikepdf.Pdf] = {}
    try:
        with pikepdf.open(tex.with_suffix(".pdf")) as frames, pikepdf.open(job.numbers) as pdfs:
            numbers = [page.as_form_xobject() for page in pdfs.pages]  # "Page 2" first
            for version in job.versions:
                for variant in students:
                    folder = classbuild.student_folder(job.folder, variant.assignment)
                    folder.mkdir(parents=True, exist_ok=True)
                    target = folder / f"{version}.pdf"
                    body = [job.pages[(pick.index, version, n)]
                            for n, pick in enumerate(variant.picks, start=1)]  # fmt: skip
                    for path, _, _ in body:
                        if path not in bodies:
                            bodies[path] = pikepdf.open(path)
                    assemble(frames, next(ranges), numbers,
                             [(bodies[p], a, b) for p, a, b in body], target)  # fmt: skip
                    if version == "exam":
                        exams.append(target)
    finally:
        for opened in bodies.values():
            opened.close()
    return exams


def assemble(
    frames: pikepdf.Pdf,
    frame: tuple[int, int],
    numbers: Sequence[pikepdf.Object],
    body: Sequence[tuple[pikepdf.Pdf, int, int]],
    target: Path,
) -> None:
    """One student's PDF: the cover pages of their frame (``frame``: its first and last
    page, the last being their running head and foot), then each body page range with
    that head and foot and its page number (``numbers``: forms of "Page 2" on) laid
    over it."""
    first, last = frame
    cover = last - first
    if cover != 1:
        raise PoolError(
            f"--pool needs a cover of one page, and this layout's cover has {cover}; "
            "shorten the cover (or the honor code) of --templates, or build without --pool."
        )
    with pikepdf.new() as out:
        out.pages.extend(frames.pages[first - 1 : last - 1])
        head_and_foot = out.copy_foreign(frames.pages[last - 1].as_form_xobject())
        number = cover
        for source, begin, end in body:
            for page_number in range(begin, end + 1):
                out.pages.append(source.pages[page_number - 1])
                number += 1
                page = out.pages[-1]
                page.add_overlay(head_and_foot)
                page.add_overlay(out.copy_foreign(numbers[number - 2]))
        out.save(target, static_id=True)


def _compile(tex: Path, source: str, engine: str, fmt: Path | None, what: str) -> None:
    try:
        pdf.compile_pdf(tex, engine, fmt if fmt and pdf.made_for(fmt, source, engine) else None)
    except LatexError as exc:
        raise LatexError(f"{what} of the variant pool failed to typeset: {exc}",
                         line=exc.line, source=exc.source) from exc  # fmt: skip


def _tidy(tex: Path, *suffixes: str) -> None:
    for suffix in (".aux", ".log", ".ranges", *suffixes):
        tex.with_suffix(suffix).unlink(missing_ok=True)
