"""A whole class at once: one variant per student, per-student PDFs, a print file, keys.

The copies are cut into chunks of up to MAX_CHUNK students.  Each chunk is one
document, its exams then its solutions, typeset by a single pdflatex run (a copy
costs about 55 ms of TeX, a run's start-up about 40 ms); the page range of every
copy is recorded by the document itself and the PDF is cut into per-student files
with pikepdf.  Chunks run in parallel processes, each doing its own drawing,
solving, rendering and typesetting.  A chunk whose LaTeX fails is retried one
student at a time, so a broken variant costs only that student's files and is
reported with the question and the TeX error.
"""

from __future__ import annotations

import multiprocessing
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import pikepdf

from generator.authoring.figures import write_figures
from generator.bank.blueprints import Blueprint, load_blueprint
from generator.bank.questions import Bank, load_bank
from generator.build import page_trees
from generator.errors import ExamError, LatexError, WorkerError
from generator.key import write as keys
from generator.key.answer_csv import csv_rows
from generator.processes import worker_init
from generator.render import names, pdf
from generator.render.latex import render_tex
from generator.variants.assemble import Exam, Variant, build_exam
from generator.variants.roster import Assignment
from generator.variants.seeding import Seeding

MAX_CHUNK = 25  # copies per TeX document at most (a run costs ~30 ms to start)
MIN_CHUNKS = 4  # small classes are still cut in a few chunks, to keep both cores busy
STUDENTS_DIR = "students"
# Workers are forked, whatever the platform's default (forkserver from Python 3.14): they
# start with what the run has drawn and loaded (the bank, a variant pool) instead of
# drawing it again.
FORK = multiprocessing.get_context("fork")
TEX_DIR = "tex"


@dataclass(frozen=True)
class Failure:
    """A copy whose LaTeX failed: whose, where, and what TeX said."""

    variant_id: str
    student: str
    question: str
    message: str

    def __str__(self) -> str:
        return f"{self.student} (variant {self.variant_id}), {self.question}: {self.message}"


@dataclass
class ChunkResult:
    """What a worker sends back: small, whatever the chunk's size.

    The chunk's key entries and answer-key rows stay in files beside its TeX.  A result
    sent through the pool's pipe must fit in one atomic write: a worker that Ctrl-C stops
    halfway through sending a large one leaves the pool's reader waiting forever for the
    rest (the parent holds the pipe's other end), and the run hangs instead of stopping.
    """

    index: int
    copies: int
    key_file: Path  # the chunk's key entries, encoded and joined as key.json lists them
    csv_file: Path  # the chunk's rows of answer-key.csv
    failures: list[Failure] = field(default_factory=list)
    # What the print file takes the chunk's pages from: a unique chunk's exams (padded for
    # duplex printing, its first exam_pages pages), then solutions; a pool's frame document.
    pdf: Path | None = None
    exam_pages: int = 0


class ClassBuildError(ExamError):
    """No copy of the class could be built."""


@dataclass(frozen=True)
class _Job:
    """What a worker needs to build one chunk (plain data: it crosses processes)."""

    index: int
    assignments: tuple[Assignment, ...]
    seeding: Seeding
    blueprint: str | None
    banks: tuple[Path, ...]
    folder: Path
    engine: str | None
    fmt: Path | None
    figures: bool = False
    versions: tuple[str, ...] = ("exam", "solutions")
    keep: frozenset[str] | None = None  # a rebuild writes these copies only
    templates: Path | None = None  # the institution's layout partials (partials.py)

    def keeps(self, variant_id: str) -> bool:
        return self.keep is None or variant_id in self.keep

    def copy_folder(self, assignment: Assignment) -> Path:
        return copy_folder(self.folder, assignment, self.keep)


def copy_folder(root: Path, assignment: Assignment, keep: frozenset[str] | None) -> Path:
    """Where a copy's PDFs go: its own folder under students/, or for a rebuild of one
    copy (``keep``) the run's folder itself (laid out as a single exam's)."""
    return root if keep is not None else student_folder(root, assignment)


@dataclass
class ChunksDone:
    """The class's key entries (encoded, in copy order), copies built, copies failed."""

    key_parts: list[bytes]  # each chunk's encoded key entries (keys.join_entries)
    copies: int
    failures: tuple[Failure, ...]
    printed: PrintFile | None  # the print file, to save once the key is written


def build_chunks(
    plan: Blueprint,
    bank: Bank,
    seeding: Seeding,
    assignments: Sequence[Assignment],
    tmp: Path,
    engine: str | None,
    first: Exam,
    *,
    keep: frozenset[str] | None,
    versions: tuple[str, ...],
    figures: bool,
    workers: int,
    names_typeset: bool,
    progress: Callable[[int], None],
    source: tuple[str | None, Sequence[Path]],
    templates: Path | None = None,
) -> ChunksDone:
    """Typeset the class into ``tmp`` chunk by chunk (see the module docstring).

    ``keep`` rebuilds one copy of the class: its chunk is typeset with the same copies
    as in the class build, so its PDFs are the very same bytes, and the run is laid out
    as a single exam's.  ``source`` (blueprint, banks) lets worker processes load the
    bank themselves.  Writes answer-key.csv; the print file (:class:`PrintFile`) is saved
    once the key is written (its 60 kB a student are let go first).  ``templates`` is
    the folder of layout partials every document is rendered with (partials.py).
    """
    blueprint, banks = source
    _CACHE[(tuple(banks), blueprint)] = (bank, plan)  # forked workers start with it
    (tmp / TEX_DIR).mkdir()
    fmt = format_for(first, tmp, engine, templates) if engine else None
    jobs = _jobs(assignments, keep, seeding, blueprint, banks, tmp, engine, fmt, figures,
                 versions, templates)  # fmt: skip
    printed = PrintFile() if engine and keep is None else None
    results = []
    for result in run_jobs(build_chunk, jobs, workers, names_typeset=names_typeset):
        results.append(result)
        progress(result.copies)
        if printed is not None:
            printed.add(result)
    done = collect(results, tmp, printed)
    if keep is not None:  # the chunk's sources hold the other students' copies
        _write_sources(plan, bank, seeding, [a for a in assignments if a.variant_id in keep],
                       tmp, versions, templates)  # fmt: skip
    return done


def collect(results: list[ChunkResult], tmp: Path, printed: PrintFile | None, *,
            pool: bool = False) -> ChunksDone:  # fmt: skip
    """The chunks' results put together: answer-key.csv written (``pool``: with the pool
    column, answer_csv.csv_rows), the key's entries in copy order; an error if every copy
    failed."""
    results = sorted(results, key=lambda r: r.index)
    failures = tuple(f for r in results for f in r.failures)
    built = sum(r.copies for r in results)
    if failures and len(failures) == built:
        if printed is not None:
            printed.close()
        kept = pdf.keep_sources(tmp)
        raise ClassBuildError(
            f"every copy failed to typeset, so nothing was written (any earlier output is "
            f"unchanged); the LaTeX sources and TeX's logs are in {kept}. First: "
            f"{failures[0]}"
        )
    rows = "".join(r.csv_file.read_text(encoding="utf-8") for r in results)
    header = csv_rows([], header=True, pool=pool)
    (tmp / "answer-key.csv").write_text(header + rows, encoding="utf-8")
    key_parts = [r.key_file.read_bytes() for r in results if r.copies]
    for result in results:
        result.key_file.unlink()
        result.csv_file.unlink()
    return ChunksDone(key_parts, built, failures, printed)


def _write_sources(
    plan: Blueprint,
    bank: Any,
    seeding: Seeding,
    assignments: list[Assignment],
    folder: Path,
    versions: tuple[str, ...],
    templates: Path | None,
) -> None:
    """The LaTeX of a rebuilt copy on its own (``exam.tex``, ``solutions.tex``, and its name
    pages), in place of the chunk's sources, which hold other students' copies."""
    exam = build_exam(plan, bank, seeding, assignments=assignments)
    for version in versions:
        source = render_tex(exam, exam.variants, versions=[version], templates=templates)
        (folder / f"{version}.tex").write_text(source, encoding="utf-8")
    for variant in exam.variants:
        pages = folder / TEX_DIR / names.page_file(variant.variant_id)
        if pages.exists():
            (folder / names.NAMES_DIR).mkdir(exist_ok=True)
            pages.rename(folder / names.page_file(variant.variant_id))
    shutil.rmtree(folder / TEX_DIR)


def _jobs(
    assignments: Sequence[Assignment],
    keep: frozenset[str] | None,
    seeding: Seeding,
    blueprint: str | None,
    banks: Sequence[Path],
    folder: Path,
    engine: str | None,
    fmt: Path | None,
    figures: bool,
    versions: tuple[str, ...],
    templates: Path | None,
) -> list[_Job]:
    """The class cut into chunks; for a rebuild, only the chunk holding the copy."""
    size = chunk_size(len(assignments))
    chunks = [tuple(assignments[i : i + size]) for i in range(0, len(assignments), size)]
    jobs = [_Job(i, chunk, seeding, blueprint, tuple(banks), folder, engine, fmt, figures,
                 versions, keep, templates) for i, chunk in enumerate(chunks)]  # fmt: skip
    if keep is None:
        return jobs
    return [job for job in jobs if keep & {a.variant_id for a in job.assignments}]


def chunk_size(copies: int) -> int:
    """Copies per TeX run: a function of the class size only, never of --workers, so that
    the .tex files of a class are the same on every machine."""
    return max(1, min(MAX_CHUNK, -(-copies // MIN_CHUNKS)))


def format_for(exam: Exam, tmp: Path, engine: str, templates: Path | None) -> Path | None:
    """Build the cached format once, before the workers start (they would race to it), from
    the preamble the chunks have: the layout's own (``templates``), or a stale format
    would drop its extra preamble."""
    probe = tmp / TEX_DIR / "format-probe.tex"
    probe.write_text(render_tex(exam, exam.variants, templates=templates), encoding="utf-8")
    fmt = pdf.precompiled_format(probe, engine)
    probe.unlink()
    return fmt


def run_jobs(work: Callable[[Any], Any], jobs: Sequence[Any], workers: int, *,
             names_typeset: bool = False) -> Iterator[Any]:  # fmt: skip
    """``work`` done on each job (a chunk) in worker processes, the results in the order
    they finish (for the progress bar).

    Only as many chunks as workers are ever handed out: on Ctrl-C, which the terminal
    sends to every process, the running chunks stop and no queued one starts.  Names are
    typeset in a worker even when one process does: Typst's thread pool does not survive
    a fork, so a process that has typeset a name must never fork workers again (they hang).
    """
    workers = min(workers, len(jobs))
    if (workers <= 1 or len(jobs) == 1) and not names_typeset:
        yield from map(work, jobs)
        return
    waiting = iter(jobs)
    with ProcessPoolExecutor(workers, mp_context=FORK, initializer=worker_init) as pool:
        running = {pool.submit(work, job) for job in islice(waiting, workers)}
        try:
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                running |= {pool.submit(work, job) for job in islice(waiting, len(done))}
                yield from (future.result() for future in done)
        except BrokenProcessPool:
            raise WorkerError(
                "a build process stopped before finishing (killed, or out of memory); "
                "run again with fewer --workers."
            ) from None
        except BaseException:  # Ctrl-C, or an error: no worker goes on typesetting
            for child in multiprocessing.active_children():
                child.kill()
            raise


_CACHE: dict[tuple, Any] = {}


def _context(job: _Job) -> tuple[Any, Blueprint]:
    """The bank and blueprint, loaded once per worker process."""
    key = (job.banks, job.blueprint)
    if key not in _CACHE:
        bank = load_bank(job.banks)
        _CACHE[key] = (bank, load_blueprint(job.blueprint, bank))
    return _CACHE[key]


def build_chunk(job: _Job) -> ChunkResult:
    """Draw, solve, render and typeset one chunk; cut its PDF into per-student files.

    The chunk is one document, every exam then every solutions copy: one pdflatex
    start-up for both versions.
    """
    bank, plan = _context(job)
    exam = build_exam(plan, bank, job.seeding, assignments=job.assignments)
    kept = [v for v in exam.variants if job.keeps(v.variant_id)]
    check = keys.EntryCheck(keys.key_header(exam))
    entries = [check(keys.variant_entry(v, figures=job.figures)) for v in kept]
    tex = job.folder / TEX_DIR / f"{job.index:04d}.tex"
    result = ChunkResult(job.index, len(entries), tex.with_suffix(".key"), tex.with_suffix(".csv"))
    result.key_file.write_bytes(keys.join_entries(keys.encode_variant(e) for e in entries))
    result.csv_file.write_text(csv_rows(entries), encoding="utf-8")
    if job.figures:
        write_figures(kept, job.folder)
    source = render_tex(exam, exam.variants, versions=job.versions, duplex=True,
                        templates=job.templates)  # fmt: skip
    tex.write_text(source, encoding="utf-8")
    if job.engine is None:
        return result  # the name pages are typeset with the PDFs
    for variant in exam.variants:  # every copy of the chunk, kept or not: the same PDF bytes
        if (student := variant.assignment.student) is not None:
            names.write_pages(tex.parent, variant.variant_id, student.name, student.id)
    fmt = job.fmt if job.fmt and pdf.made_for(job.fmt, source, job.engine) else None
    try:
        pdf.compile_pdf(tex, job.engine, fmt)
    except LatexError:
        result.failures = _one_by_one(exam, kept, job)
        if job.keep is None:
            good = [job.copy_folder(v.assignment) / "exam.pdf" for v in kept]
            result.pdf = tex.with_name(f"{tex.stem}-print.pdf")
            result.exam_pages = print_part([f for f in good if f.exists()], result.pdf)
    else:
        folders = [job.copy_folder(v.assignment) if job.keeps(v.variant_id)
                   else None for v in exam.variants]  # fmt: skip
        result.exam_pages = _split(tex, [(f, v) for v in job.versions for f in folders])
        result.pdf = tex.with_suffix(".pdf") if job.keep is None else None
    _tidy(tex)
    return result


def _one_by_one(exam: Exam, variants: list[Variant], job: _Job) -> list[Failure]:
    """Typeset each copy of a failed chunk alone: keep the good ones, name the bad ones."""
    failures = []
    for variant in variants:
        folder = job.copy_folder(variant.assignment)
        for version in job.versions:
            tex = job.folder / TEX_DIR / f"{job.index:04d}-{variant.variant_id}-{version}.tex"
            source = render_tex(exam, [variant], versions=[version], templates=job.templates)
            tex.write_text(source, encoding="utf-8")
            engine = job.engine or pdf.ENGINE
            fmt = job.fmt if job.fmt and pdf.made_for(job.fmt, source, engine) else None
            try:
                pdf.compile_pdf(tex, engine, fmt)
            except LatexError as exc:
                exc.source = tex.relative_to(job.folder)  # where it is in the finished run
                failures.append(_failure(variant.assignment, version, source, exc))
                tex.with_suffix(".ranges").unlink(missing_ok=True)  # the .log stays, to read
                break
            _split(tex, [(folder, version)])
            _tidy(tex)
            tex.with_suffix(".pdf").unlink()
    return failures


def _failure(assignment: Assignment, kind: str, source: str, exc: LatexError) -> Failure:
    who = assignment.label
    question = "the cover page"
    if exc.line is not None:
        before = source.split("\n")[: exc.line]
        number = sum(line.startswith(r"\titledquestion") for line in before)
        if number:
            question = f"Question {number}"
    return Failure(assignment.variant_id, who, f"{question} of the {kind}", str(exc))


def student_folder(root: Path, assignment: Assignment) -> Path:
    """``students/<student id>_<code>`` or ``students/v<number>_<code>``."""
    owner = assignment.student.id if assignment.student else assignment.label
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", owner).strip("._")
    return root / STUDENTS_DIR / f"{safe}_{assignment.variant_id}"


def _split(tex: Path, targets: list[tuple[Path | None, str]]) -> int:
    """Cut the document at its recorded page ranges into ``folder/<version>.pdf`` files, in
    order (no file for a copy without a folder); return the page count up to the last exam
    copy's padding (the print part)."""
    ranges = pdf.page_ranges(tex)
    source, pages = page_trees.open_detached(tex.with_suffix(".pdf"))
    with source:
        print_pages = len(pages)
        for (first, last), (folder, version) in zip(ranges, targets, strict=True):
            if version == "solutions":
                print_pages = min(print_pages, first - 1)
            if folder is None:
                continue
            folder.mkdir(parents=True, exist_ok=True)
            page_trees.save_pages(source, pages[first - 1 : last], folder / f"{version}.pdf")
    return print_pages


def print_part(exams: list[Path], target: Path) -> int:
    """The print pages of a chunk typeset copy by copy: each exam padded to an even
    page count, so that every one starts on an odd page of the print file."""
    sources = [pikepdf.open(exam) for exam in exams]
    try:
        with pikepdf.new() as part:
            for source in sources:
                part.pages.extend(source.pages)
                if len(source.pages) % 2:
                    part.add_blank_page(page_size=tuple(source.pages[0].mediabox[2:]))
            part.save(target, static_id=True)
            return len(part.pages)
    finally:
        for source in sources:
            source.close()


class PrintFile:
    """The print file: every chunk's exam pages in copy order (each copy starts on an odd
    page), taken in as the chunks finish, while the workers typeset the others, and saved
    once the key is written.  ``pages`` takes a chunk's pages into its document: a unique
    build's print parts (:class:`PrintParts`), or a pool's layers (poolbuild.PrintPages).

    The page tree is built in one go: appending pages one by one (``pages.extend``)
    costs time in proportion to the pages already there, minutes for a class of 2000.
    """

    def __init__(self, pages: PrintSource | None = None) -> None:
        self.pages = pages or PrintParts()
        self.kids: list[pikepdf.Object] = []
        self.waiting: dict[int, ChunkResult] = {}  # finished before an earlier chunk
        self.next = 0

    def add(self, result: ChunkResult) -> None:
        """Take a finished chunk's exam pages, once every earlier chunk's are in."""
        self.waiting[result.index] = result
        while self.next in self.waiting:
            done = self.waiting.pop(self.next)
            self.next += 1
            if done.pdf is not None:
                self.kids += self.pages(done)

    def save(self, target: Path) -> None:
        try:
            page_trees.save_pages(self.pages.pdf, self.kids, target)
        finally:
            self.close()

    def close(self) -> None:
        self.pages.close()


class PrintSource(Protocol):
    """Where a print file's pages come from: ``pdf`` is the document saved as the print
    file, and calling it with a finished chunk takes that chunk's exam pages into it."""

    pdf: pikepdf.Pdf

    def __call__(self, done: ChunkResult) -> list[pikepdf.Object]: ...

    def close(self) -> None: ...


class PrintParts:
    """A unique build's print pages: each chunk's print part, its exams copied in."""

    def __init__(self) -> None:
        self.pdf = pikepdf.new()
        self.parts: list[tuple[Path, pikepdf.Pdf]] = []

    def __call__(self, done: ChunkResult) -> list[pikepdf.Object]:
        assert done.pdf is not None
        source = pikepdf.open(done.pdf)
        self.parts.append((done.pdf, source))
        return [self.pdf.copy_foreign(page.obj) for page in source.pages[: done.exam_pages]]

    def close(self) -> None:
        """Let the parts go (their pages are read when the print file is saved)."""
        self.pdf.close()
        for part, source in self.parts:
            source.close()
            part.unlink()


def _tidy(tex: Path) -> None:
    """Keep the .tex source; drop TeX's by-products."""
    for suffix in (".aux", ".log", ".ranges"):
        tex.with_suffix(suffix).unlink(missing_ok=True)
