"""Variant pools for large classes (``--pool K``): K variants of each question, typeset once.

A class in unique variants typesets every page of every student's exam and solutions.
With a pool, each question has K variants (the questions of K pool copies, drawn and
solved as any copy is) and each student draws one of them per question, by a weight
keyed by the secret, the student's code and the question's id: adding or removing
students never changes anyone else's draws.  Seven questions with K = 50 make 50^7,
about 8 x 10^11, combinations.

A student's PDF is laid in three layers, each typeset once where it can be:

- body: the pool copies' question pages, with neither head nor foot, one document per
  version holding every pool copy;
- frame: each student's cover (name, code, page count) and one page holding their
  running head and foot without the page number, a document per chunk of students;
- numbers: the running foot's "Page N", N = 2 up to the longest copy, at the start of
  each frame document.

A student's pages are their cover, then the body pages of the questions they drew, each
with their frame and its page number laid over it as PDF forms (pool_layers.py); the
print file is laid from the same layers, in the parent, as chunks finish.  The key, the
answer CSV and the LMS exports come from each student's entry as in a unique build; each
question's entry names the pool copy it comes from.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf

from generator.authoring.figures import write_figures
from generator.bank.blueprints import Blueprint, load_blueprint
from generator.bank.questions import Bank, load_bank
from generator.builds import chunks, pool_layers
from generator.builds.chunks import ChunkResult, Typesetting
from generator.errors import ExamError, LatexError
from generator.key import write
from generator.key.answer_csv import csv_rows
from generator.key.records import json_ready
from generator.render import names, pdf
from generator.render.latex import render_tex
from generator.variants.assemble import Exam, PoolPick, Variant, build_exam
from generator.variants.roster import Assignment
from generator.variants.seeding import Seeding

MAX_POOL = 1000  # variants per question: more would be a unique build's work
MAX_FRAMES = 100  # students per frame document (a frame is a cover and one page)
FOOTER = "footer.tex.j2"  # the partial of the running foot (partials.py)
POOL_DIR = "pool"  # under the run's tex/: the pool's bodies and the page numbers


class PoolError(ExamError):
    """A variant pool cannot be built as asked."""


@dataclass(frozen=True)
class Pool:
    """The pool's copies, drawn and solved, and every student's copy made of their picks."""

    exam: Exam  # the K pool copies
    students: tuple[Variant, ...]


def check_poolable(plan: Blueprint, size: int, templates: Path | None = None) -> None:
    """A pool gives question n of some pool copy to every student's question n, which needs
    the same questions in the same order on every copy; it lays the page number where the
    shipped running foot prints it (its centre), which another footer may not."""
    if templates is not None and (templates / FOOTER).exists():
        raise PoolError(
            f"{templates / FOOTER}: --pool lays each page's number where the shipped footer "
            "prints it, which your footer may not; build without --pool, or drop this file."
        )
    if plan.draws:
        raise PoolError(
            f"{plan.path}: --pool draws each question's variant per student, but this "
            "blueprint draws or shuffles its questions; use a blueprint that lists each "
            "question with id, or build unique variants (no --pool)."
        )
    if not 2 <= size <= MAX_POOL:
        raise PoolError(f"--pool {size}: give a pool of 2 to {MAX_POOL} variants per question.")


def draw_pool(
    plan: Blueprint,
    bank: Bank,
    seeding: Seeding,
    assignments: Sequence[Assignment],
    size: int,
    templates: Path | None = None,
) -> Pool:
    """The pool's K copies and each student's copy of picks from it."""
    check_poolable(plan, size, templates)
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
    """One document of the pool's question pages: every pool copy in one version (one
    document per version, so that a student's PDF embeds one set of its fonts)."""

    version: str
    typesetting: Typesetting


@dataclass(frozen=True)
class _Frames:
    """One document of students' frames, and their PDFs assembled from the layers."""

    index: int
    students: tuple[int, ...]
    typesetting: Typesetting
    pages: PageMap
    last_page: int


@dataclass(frozen=True)
class Redraw:
    """What the pool is drawn from, as plain data: a spawned worker draws it again (its
    questions' code is loaded from the bank's files, so a drawn pool cannot be pickled),
    the same pool, as every draw is a function of the seeding."""

    banks: tuple[Path, ...]
    blueprint: str | None
    seeding: Seeding
    assignments: tuple[Assignment, ...]
    size: int
    templates: Path | None = None

    def draw(self) -> Pool:
        bank = load_bank(self.banks)
        plan = load_blueprint(self.blueprint, bank)
        return draw_pool(plan, bank, self.seeding, self.assignments, self.size, self.templates)


# What forked workers start with, and spawned ones make again (_restore): the pool, the
# key's header, and the key records of the pool's questions.
_STATE: dict[str, Any] = {}


def build_pool(pool: Pool, header: dict[str, Any], typesetting: Typesetting,
               progress: Callable[[int], None], redraw: Redraw) -> chunks.ChunksDone:  # fmt: skip
    """Typeset the pool's layers into ``typesetting.folder`` and assemble every student's
    PDFs from them; write answer-key.csv; return the key's entries and the print file, as
    a unique class build does (unique.build_chunks).  A rebuild of one student's copy
    (``typesetting.keep``) typesets the whole pool and their frames' chunk as in the class
    build, so that their PDFs are the very same bytes, and the run is laid out as a single
    exam's.  ``redraw`` is what ``pool`` was drawn from (for spawned workers)."""
    keep = typesetting.keep
    records, entries = _records(pool.exam, typesetting.figures)
    write.check_key({**header, "variants": entries})  # once for the whole run
    _STATE.update(pool=pool, header=header, records=records)
    restore = (_restore, (redraw, header, typesetting.figures))
    (typesetting.run.tex / POOL_DIR).mkdir(parents=True)
    if typesetting.engine:
        typesetting = replace(typesetting, fmt=chunks.format_for(pool.exam, typesetting))
    if typesetting.figures:
        write_figures(pool.exam.variants, typesetting.folder)
    bodies = [_Body(version, typesetting) for version in typesetting.versions]
    pages: PageMap = {}
    bodies_typesetting = replace(typesetting, names_typeset=False)
    for found in chunks.run_jobs(typeset_body, bodies, bodies_typesetting, restore):
        pages.update(found)
    frames = [_Frames(i, chunk, typesetting, pages, _last_page(pages))
              for i, chunk in enumerate(_chunks(len(pool.students)))
              if keep is None or keep & {pool.students[k].variant_id for k in chunk}]  # fmt: skip
    printing = typesetting.engine and keep is None and "exam" in typesetting.versions
    printed = chunks.PrintFile(PrintPages(frames, pages)) if printing else None
    results = []
    for result in chunks.run_jobs(typeset_frames, frames, typesetting, restore):
        results.append(result)
        progress(result.copies)
        if printed is not None:
            printed.add(result)
    done = chunks.collect(results, typesetting.run, printed, pool=True)
    if keep is not None:
        _write_sources([v for v in pool.students if v.variant_id in keep], typesetting)
    return done


def _write_sources(students: list[Variant], typesetting: Typesetting) -> None:
    """A rebuilt copy's LaTeX on its own, laid out the usual way (``exam.tex``,
    ``solutions.tex``), in place of the layers' sources, which hold other students'."""
    pool: Pool = _STATE["pool"]
    for version in typesetting.versions:
        source = render_tex(pool.exam, students, typesetting.document(versions=(version,)))
        typesetting.run.document(version).write_text(source, encoding="utf-8")
    shutil.rmtree(typesetting.run.tex)


def _restore(redraw: Redraw, header: dict[str, Any], figures: bool) -> None:
    """A worker's state: inherited when forked, drawn again when spawned."""
    if "pool" not in _STATE:
        pool = redraw.draw()
        _STATE.update(pool=pool, header=header, records=_records(pool.exam, figures)[0])


Records = dict[tuple[int, int], Any]


def _records(exam: Exam, figures: bool) -> tuple[Records, list[Any]]:
    """The key record of every pool question, by (question number, pool index), and each
    pool copy's entry made of them, for the run to check against the schema once; a
    student's entry is made of these records and their own name and id, and checked as a
    class build checks its entries (write.check_entry)."""
    records = {}
    entries = []
    for index, variant in enumerate(exam.variants):
        pick = PoolPick(index, variant.variant_id)
        for qv in variant.questions:
            records[(qv.number, index)] = write.question_record(qv, pick.variant, figures, pick)
        questions = [records[(qv.number, index)] for qv in variant.questions]
        entries.append(json_ready(write.variant_record(variant, questions=questions)))
    return records, entries


def _chunks(count: int) -> list[tuple[int, ...]]:
    """Students per frame document: a function of the class size only (determinism)."""
    size = max(1, min(MAX_FRAMES, -(-count // chunks.MIN_CHUNKS)))
    return [tuple(range(i, min(i + size, count))) for i in range(0, count, size)]


def typeset_body(job: _Body) -> PageMap:
    """Typeset every pool copy's question pages in one version; where each question's
    pages are."""
    pool: Pool = _STATE["pool"]
    typesetting = job.typesetting
    tex = typesetting.run.tex / POOL_DIR / f"{job.version}.tex"
    body = typesetting.document(versions=(job.version,), layer="body")
    source = render_tex(pool.exam, pool.exam.variants, body)
    tex.write_text(source, encoding="utf-8")
    if typesetting.engine is None:
        return {}
    _compile(tex, source, typesetting, f"the pool's {job.version}")
    lines = tex.with_suffix(".questions").read_text().split("\n")
    starts = iter(int(line.split()[1]) for line in lines if line.strip())
    found: PageMap = {}
    for index, (first, last) in enumerate(pdf.page_ranges(tex)):
        begins = [next(starts) for _ in pool.exam.variants[index].questions]
        assert begins[0] == first, "a copy's first question starts its pages"
        ends = [begin - 1 for begin in begins[1:]] + [last]
        for number, (begin, end) in enumerate(zip(begins, ends, strict=True), start=1):
            found[(index, job.version, number)] = (tex.with_suffix(".pdf"), begin, end)
    chunks.tidy(tex, ".questions")
    return found


def _last_page(pages: PageMap) -> int:
    """The last page of the longest copy a student can draw: a one-page cover, then the
    longest variant of every question."""
    longest: dict[tuple[str, int], int] = {}
    for (_, version, number), found in pages.items():
        longest[(version, number)] = max(longest.get((version, number), 0), _length(found))
    by_version: dict[str, int] = {}
    for (version, _), length in longest.items():
        by_version[version] = by_version.get(version, 0) + length
    return 1 + max(by_version.values(), default=0)


def typeset_frames(job: _Frames) -> ChunkResult:
    """Typeset some students' frames and assemble each one's PDFs from the layers."""
    pool: Pool = _STATE["pool"]
    typesetting = job.typesetting
    students = [pool.students[i] for i in job.students]
    tex = typesetting.tex(f"{job.index:04d}.tex")
    kept = [v for v in students if typesetting.keeps(v.variant_id)]
    result = ChunkResult(job.index, len(kept), tex.with_suffix(".key"), tex.with_suffix(".csv"))
    _write_entries(kept, result)
    if typesetting.engine is None:  # the covers count the pages typeset: no PDFs, no frames
        return result
    counts = [{version: 1 + sum(_length(job.pages[(pick.index, version, n)])
                                for n, pick in enumerate(v.picks, start=1))
               for version in typesetting.versions} for v in students]  # fmt: skip
    frames = typesetting.document(layer="frame", last_page=job.last_page)
    source = render_tex(pool.exam, students, frames, page_counts=counts)
    tex.write_text(source, encoding="utf-8")
    for variant in students:
        if (student := variant.assignment.student) is not None:
            names.write_pages(tex.parent, variant.variant_id, student.name, student.id)
    _compile(tex, source, typesetting, f"the covers of students {job.index}")
    _assemble_chunk(tex, students, job)
    if typesetting.keep is None and "exam" in typesetting.versions:  # the print file's
        result.pdf = tex.with_suffix(".pdf")
        return result
    chunks.tidy(tex)
    tex.with_suffix(".pdf").unlink()
    return result


def _write_entries(students: list[Variant], result: ChunkResult) -> None:
    """The students' key entries and answer-key rows, made of the pool's records."""
    records = _STATE["records"]
    entries, rows = [], []
    for variant in students:
        questions = [records[(n, pick.index)] for n, pick in enumerate(variant.picks, start=1)]
        rows.append(write.variant_record(variant, questions=questions))
        entries.append(write.check_entry(_STATE["header"], json_ready(rows[-1])))
    result.key_file.write_bytes(write.join_entries(write.encode_variant(e) for e in entries))
    result.csv_file.write_text(csv_rows(rows, pool=True), encoding="utf-8")


def _length(found: tuple[Path, int, int]) -> int:
    return found[2] - found[1] + 1


def _assemble_chunk(tex: Path, students: list[Variant], job: _Frames) -> None:
    """Every kept student's PDFs of the chunk, laid from the layers (pool_layers.py)."""
    typesetting = job.typesetting
    ranges = _frame_ranges(tex, len(students), typesetting.versions)
    frames = pool_layers.Frames(tex.with_suffix(".pdf"), job.last_page)
    try:
        for version in typesetting.versions:
            sheaf = pool_layers.Sheaf(_body_file(job.pages, version))
            try:
                for variant, frame in zip(students, ranges[version], strict=True):
                    if typesetting.keeps(variant.variant_id):
                        folder = typesetting.copy_folder(variant.assignment)
                        folder.mkdir(parents=True, exist_ok=True)
                        pages = sheaf.lay(frames, frame, _body_pages(job.pages, variant, version))
                        sheaf.save(pages, folder / f"{version}.pdf")
            finally:
                sheaf.close()
    finally:
        frames.close()


Ranges = list[tuple[int, int]]


def _frame_ranges(tex: Path, count: int, versions: Sequence[str]) -> dict[str, Ranges]:
    """Each version's frames of a frame document, one per student: a cover and one page of
    the running head and foot."""
    found = pdf.page_ranges(tex)
    for first, last in found:
        if last - first != 1:
            raise PoolError(
                f"--pool needs a cover of one page, and this layout's cover has "
                f"{last - first}; shorten the cover (or the honor code) of --templates, or "
                "build without --pool."
            )
    return {version: found[i * count : (i + 1) * count] for i, version in enumerate(versions)}


def _body_file(pages: PageMap, version: str) -> Path:
    return next(path for (_, v, _), (path, _, _) in pages.items() if v == version)


def _body_pages(pages: PageMap, variant: Variant, version: str) -> list[tuple[int, int]]:
    """The body pages of the questions a student drew: first and last of each."""
    return [pages[(pick.index, version, n)][1:] for n, pick in enumerate(variant.picks, start=1)]


class PrintPages:
    """The print file's pages of a pool class: each student's exam laid again from the
    layers, into the exam body itself, from each chunk's frame document as it finishes;
    nothing of a student's own PDF is copied (chunks.PrintFile puts them in order)."""

    def __init__(self, jobs: Sequence[_Frames], pages: PageMap) -> None:
        self.jobs = {job.index: job for job in jobs}
        self.pages = pages
        self.sheaf = pool_layers.Sheaf(_body_file(pages, "exam"))
        self.pdf = self.sheaf.pdf
        self.frames: list[tuple[Path, pool_layers.Frames]] = []

    def __call__(self, done: ChunkResult) -> list[pikepdf.Object]:
        assert done.pdf is not None
        job = self.jobs[done.index]
        students = [_STATE["pool"].students[i] for i in job.students]
        frames = pool_layers.Frames(done.pdf, job.last_page)
        self.frames.append((done.pdf, frames))
        laid: list[pikepdf.Object] = []
        ranges = _frame_ranges(done.pdf, len(students), job.typesetting.versions)["exam"]
        for variant, frame in zip(students, ranges, strict=True):
            pages = self.sheaf.lay(frames, frame, _body_pages(self.pages, variant, "exam"))
            if len(pages) % 2:
                pages.append(self.sheaf.blank(pages[0]))
            laid += pages
        return laid

    def close(self) -> None:
        """Let the frame documents go (their pages are read when the print file is saved)."""
        self.sheaf.close()
        for path, frames in self.frames:
            frames.close()
            chunks.tidy(path)
            path.unlink()


def _compile(tex: Path, source: str, typesetting: Typesetting, what: str) -> None:
    engine, fmt = typesetting.engine, typesetting.fmt
    assert engine is not None
    try:
        pdf.compile_pdf(tex, engine, fmt if fmt and pdf.made_for(fmt, source, engine) else None)
    except LatexError as exc:
        raise LatexError(f"{what} of the variant pool failed to typeset: {exc}",
                         line=exc.line, source=exc.source) from exc  # fmt: skip
