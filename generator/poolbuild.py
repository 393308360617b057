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

import shutil
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
from .key_records import plain
from .latex import render_tex
from .roster import Assignment
from .seeding import Seeding

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
    folder: Path
    engine: str | None
    fmt: Path | None
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
    pages: PageMap
    last_page: int
    keep: frozenset[str] | None = None  # a rebuild writes these copies only

    def keeps(self, variant: Variant) -> bool:
        return self.keep is None or variant.variant_id in self.keep

    def copy_folder(self, variant: Variant) -> Path:
        return classbuild.copy_folder(self.folder, variant.assignment, self.keep)


# What forked workers start with: the pool, the key's header, and the key records of the
# pool's questions, made (and checked against the schema) once for the whole run.
_STATE: dict[str, Any] = {}


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
    keep: frozenset[str] | None = None,
) -> classbuild.ChunksDone:
    """Typeset the pool's layers into ``tmp`` and assemble every student's PDFs from them;
    write answer-key.csv; return the key's entries and the print file's parts, as a unique
    class build does (classbuild.build_chunks).  ``keep`` rebuilds one student's copy: the
    whole pool and their frames' chunk are typeset as in the class build, so that their
    PDFs are the very same bytes, and the run is laid out as a single exam's."""
    _STATE.update(pool=pool, header=header, records=_records(pool.exam, header, figures))
    (tmp / classbuild.TEX_DIR / POOL_DIR).mkdir(parents=True)
    fmt = classbuild.format_for(pool.exam, tmp, engine, templates) if engine else None
    if figures:
        write_figures(pool.exam.variants, tmp)
    bodies = [_Body(version, tmp, engine, fmt, templates) for version in versions]
    pages: PageMap = {}
    for found in classbuild.run_jobs(typeset_body, bodies, workers):
        pages.update(found)
    frames = [_Frames(i, chunk, tmp, engine, fmt, versions, templates, pages,
                      _last_page(pages), keep)
              for i, chunk in enumerate(_chunks(len(pool.students)))
              if keep is None or keep & {pool.students[k].variant_id for k in chunk}]  # fmt: skip
    printed = classbuild.PrintFile() if engine and keep is None else None
    results = []
    for result in classbuild.run_jobs(typeset_frames, frames, workers,
                                      names_typeset=names_typeset):  # fmt: skip
        results.append(result)
        progress(result.copies)
        if printed is not None:
            printed.add(result)
    done = classbuild.collect(results, tmp, printed, pool=True)
    if keep is not None:
        _write_sources([v for v in pool.students if v.variant_id in keep], tmp, versions,
                       templates)  # fmt: skip
    return done


def _write_sources(students: list[Variant], folder: Path, versions: tuple[str, ...],
                   templates: Path | None) -> None:  # fmt: skip
    """A rebuilt copy's LaTeX on its own, laid out the usual way (``exam.tex``,
    ``solutions.tex``), in place of the layers' sources, which hold other students'."""
    pool: Pool = _STATE["pool"]
    for version in versions:
        source = render_tex(pool.exam, students, versions=[version], templates=templates)
        (folder / f"{version}.tex").write_text(source, encoding="utf-8")
    shutil.rmtree(folder / classbuild.TEX_DIR)


def _records(exam: Exam, header: dict[str, Any], figures: bool) -> dict[tuple[int, int], Any]:
    """The key record of every pool question, by (question number, pool index): each
    pool copy's entry is checked against the schema here, once; a student's entry is made
    of these records and their own name and id, and checked as a class build checks its
    entries (keys.EntryCheck)."""
    records = {}
    entries = []
    for index, variant in enumerate(exam.variants):
        pick = PoolPick(index, variant.variant_id)
        for qv in variant.questions:
            records[(qv.number, index)] = keys.question_record(qv, pick.variant, figures, pick)
        questions = [records[(qv.number, index)] for qv in variant.questions]
        entries.append(plain(keys.variant_record(variant, questions=questions)))
    keys.validate({**header, "variants": entries})
    return records


def _chunks(count: int) -> list[tuple[int, ...]]:
    """Students per frame document: a function of the class size only (determinism)."""
    size = max(1, min(MAX_FRAMES, -(-count // classbuild.MIN_CHUNKS)))
    return [tuple(range(i, min(i + size, count))) for i in range(0, count, size)]


def typeset_body(job: _Body) -> PageMap:
    """Typeset every pool copy's question pages in one version; where each question's
    pages are."""
    pool: Pool = _STATE["pool"]
    tex = job.folder / classbuild.TEX_DIR / POOL_DIR / f"{job.version}.tex"
    source = render_tex(pool.exam, pool.exam.variants, versions=[job.version], layer="body",
                        templates=job.templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    if job.engine is None:
        return {}
    _compile(tex, source, job.engine, job.fmt, f"the pool's {job.version}")
    lines = tex.with_suffix(".questions").read_text().split("\n")
    starts = iter(int(line.split()[1]) for line in lines if line.strip())
    found: PageMap = {}
    for index, (first, last) in enumerate(pdf.page_ranges(tex)):
        begins = [next(starts) for _ in pool.exam.variants[index].questions]
        assert begins[0] == first, "a copy's first question starts its pages"
        ends = [begin - 1 for begin in begins[1:]] + [last]
        for number, (begin, end) in enumerate(zip(begins, ends, strict=True), start=1):
            found[(index, job.version, number)] = (tex.with_suffix(".pdf"), begin, end)
    _tidy(tex, ".questions")
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


def typeset_frames(job: _Frames) -> classbuild.ChunkResult:
    """Typeset some students' frames and assemble each one's PDFs from the layers."""
    pool: Pool = _STATE["pool"]
    students = [pool.students[i] for i in job.students]
    tex = job.folder / classbuild.TEX_DIR / f"{job.index:04d}.tex"
    kept = [v for v in students if job.keeps(v)]
    result = classbuild.ChunkResult(job.index, len(kept), tex.with_suffix(".key"),
                                    tex.with_suffix(".csv"))  # fmt: skip
    _write_entries(kept, result)
    if job.engine is None:  # the covers count the pages typeset: no PDFs, no frames
        return result
    counts = [{version: 1 + sum(_length(job.pages[(pick.index, version, n)])
                                for n, pick in enumerate(v.picks, start=1))
               for version in job.versions} for v in students]  # fmt: skip
    source = render_tex(pool.exam, students, versions=job.versions, layer="frame",
                        page_counts=counts, last_page=job.last_page,
                        templates=job.templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    for variant in students:
        if (student := variant.assignment.student) is not None:
            names.write_pages(tex.parent, variant.variant_id, student.name, student.id)
    _compile(tex, source, job.engine, job.fmt, f"the covers of students {job.index}")
    result.pdf = tex.with_name(f"{tex.stem}-print.pdf") if job.keep is None else None
    result.exam_pages = _assemble_chunk(tex, students, job, result.pdf)
    _tidy(tex)
    tex.with_suffix(".pdf").unlink()
    return result


def _write_entries(students: list[Variant], result: classbuild.ChunkResult) -> None:
    """The students' key entries and answer-key rows, made of the pool's records."""
    records = _STATE["records"]
    check = keys.EntryCheck(_STATE["header"])
    entries, rows = [], []
    for variant in students:
        questions = [records[(n, pick.index)] for n, pick in enumerate(variant.picks, start=1)]
        entries.append(keys.variant_record(variant, questions=questions))
        rows.append(check(plain(entries[-1])))
    result.key_file.write_bytes(keys.join_entries(keys.encode_variant(e) for e in entries))
    result.csv_file.write_text(csv_rows(rows, pool=True), encoding="utf-8")


def _length(found: tuple[Path, int, int]) -> int:
    return found[2] - found[1] + 1


def _assemble_chunk(tex: Path, students: list[Variant], job: _Frames,
                    print_part: Path | None) -> int:  # fmt: skip
    """Every kept student's PDFs of the chunk, and the chunk's print part (each exam padded
    to an even page count; none for a rebuild); return the print part's pages."""
    ranges = iter(pdf.page_ranges(tex))
    bodies = {path: Body(pikepdf.open(path)) for path in {found[0] for found in job.pages.values()}}
    try:
        with pikepdf.open(tex.with_suffix(".pdf")) as frames, pikepdf.new() as printed:
            numbers = [page.as_form_xobject() for page in frames.pages[: job.last_page - 1]]
            for version in job.versions:
                for variant in students:
                    frame = next(ranges)
                    if not job.keeps(variant):
                        continue
                    layers = Layers(frames, frame, numbers, [
                        (bodies[path], begin, end) for path, begin, end in
                        (job.pages[(pick.index, version, n)]
                         for n, pick in enumerate(variant.picks, start=1))])  # fmt: skip
                    folder = job.copy_folder(variant)
                    folder.mkdir(parents=True, exist_ok=True)
                    with pikepdf.new() as out:
                        layers.lay(out)
                        out.save(folder / f"{version}.pdf", static_id=True)
                    if version == "exam" and print_part is not None:
                        layers.lay(printed)
                        if len(printed.pages) % 2:
                            printed.add_blank_page(page_size=tuple(frames.pages[0].mediabox[2:]))
            if print_part is not None:
                printed.save(print_part, static_id=True)
            return len(printed.pages)
    finally:
        for opened in bodies.values():
            opened.pdf.close()


class Body:
    """A body document, each page's drawing (its box, resources and content) held in one
    object, so that PDF copies it into a student's file in one step and without the page
    tree it hangs from; finding a page of a long document (``pdf.pages[i]``) is slow too."""

    def __init__(self, document: pikepdf.Pdf) -> None:
        self.pdf = document
        self.pages = [document.make_indirect(pikepdf.Array([p.MediaBox, p.Resources, p.Contents]))
                      for p in (page.obj for page in document.pages)]  # fmt: skip


@dataclass
class Layers:
    """One student's PDF in layers: the cover pages of their frame (``frame``: its first
    and last page, the last being their running head and foot), then each body page with
    that head and foot and its page number (``numbers``: forms of "Page 2" on) laid over
    it."""

    frames: pikepdf.Pdf
    frame: tuple[int, int]
    numbers: Sequence[pikepdf.Object]
    body: Sequence[tuple[Body, int, int]]

    def __post_init__(self) -> None:
        first, last = self.frame
        if last - first != 1:
            raise PoolError(
                f"--pool needs a cover of one page, and this layout's cover has "
                f"{last - first}; shorten the cover (or the honor code) of --templates, or "
                "build without --pool."
            )
        self.head_and_foot = self.frames.pages[last - 1].as_form_xobject()

    def lay(self, out: pikepdf.Pdf) -> None:
        """Append the student's pages to ``out`` (their own PDF, or the print part).

        A body page is a new page object drawing the body page's own content (shared by
        every student who drew it: PDF copies it once), wrapped in q/Q, then two forms:
        pikepdf's add_overlay would do the same, at four times the cost (it rewrites the
        content), and would change the shared page itself.
        """
        out.pages.append(self.frames.pages[self.frame[0] - 1])
        head_and_foot = out.copy_foreign(self.head_and_foot)
        save = out.make_stream(b"q\n")
        drawn = out.make_stream(b"\nQ /ExamFrame Do /ExamPage Do\n")  # each page's names
        number = 1
        for source, begin, end in self.body:
            for page_number in range(begin, end + 1):
                number += 1
                box, shared, contents = out.copy_foreign(source.pages[page_number - 1])
                forms = pikepdf.Dictionary(shared.get("/XObject", {}))
                forms.ExamFrame = head_and_foot
                forms.ExamPage = out.copy_foreign(self.numbers[number - 2])
                resources = pikepdf.Dictionary(shared)
                resources.XObject = forms
                own = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
                out.pages.append(pikepdf.Page(pikepdf.Dictionary(
                    Type=pikepdf.Name.Page, MediaBox=box, Resources=resources,
                    Contents=pikepdf.Array([save, *own, drawn]),
                )))  # fmt: skip


def _compile(tex: Path, source: str, engine: str, fmt: Path | None, what: str) -> None:
    try:
        pdf.compile_pdf(tex, engine, fmt if fmt and pdf.made_for(fmt, source, engine) else None)
    except LatexError as exc:
        raise LatexError(f"{what} of the variant pool failed to typeset: {exc}",
                         line=exc.line, source=exc.source) from exc  # fmt: skip


def _tidy(tex: Path, *suffixes: str) -> None:
    for suffix in (".aux", ".log", ".ranges", *suffixes):
        tex.with_suffix(suffix).unlink(missing_ok=True)
