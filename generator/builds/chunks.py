"""What a class build's two layouts share: the typesetting record, the workers, the chunks'
results, the answer CSV and the print file.

A class is typeset in chunks of copies by worker processes, whether its copies are unique
(unique.py) or drawn from a variant pool (pool.py).  :class:`Typesetting` is what every
worker needs to know of the run (plain data: it crosses processes); a worker sends back a
small :class:`ChunkResult`; :func:`collect` puts the results together and
:class:`PrintFile` lays the chunks' exam pages in copy order as they finish.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Protocol

import pikepdf

from generator.builds import page_trees
from generator.errors import ExamError, WorkerError
from generator.key.answer_csv import csv_rows
from generator.processes import start_context, worker_init
from generator.render import pdf
from generator.render.latex import Document, render_tex
from generator.run_folder import RunFolder
from generator.variants.assemble import Exam
from generator.variants.roster import Assignment

MIN_CHUNKS = 4  # small classes are still cut in a few chunks, to keep both cores busy
# Workers are forked on Linux, whatever Python's default (forkserver from 3.14): they start
# with what the run has drawn and loaded (the bank, a variant pool) instead of drawing it
# again.  Spawned (macOS, Windows, GENERATE_EXAM_START_METHOD=spawn), each worker loads or
# draws it again from the plain data a job or ``restore`` carries (processes.start_context).
Restore = tuple[Callable[..., None], tuple[Any, ...]]  # a function, its picklable arguments


@dataclass(frozen=True)
class Typesetting:
    """How a class's copies are typeset, and where: what the run tells every worker.

    ``folder`` is the run's (staging) folder; ``engine`` None writes the LaTeX without
    typesetting it; ``fmt`` is the precompiled format of the run's preamble; ``templates``
    the institution's layout partials (partials.py); ``keep`` rebuilds these copies only,
    laid out as a single exam's.  ``workers`` and ``names_typeset`` say how the chunks are
    run (:func:`run_jobs`).
    """

    folder: Path
    engine: str | None
    versions: tuple[str, ...] = ("exam", "solutions")
    figures: bool = False
    templates: Path | None = None
    keep: frozenset[str] | None = None
    fmt: Path | None = None
    workers: int = 1
    names_typeset: bool = False

    @property
    def run(self) -> RunFolder:
        return RunFolder(self.folder)

    def keeps(self, variant_id: str) -> bool:
        return self.keep is None or variant_id in self.keep

    def copy_folder(self, assignment: Assignment) -> Path:
        """Where a copy's PDFs go: its own folder under students/, or for a rebuild of one
        copy the run's folder itself (laid out as a single exam's)."""
        if self.keep is not None:
            return self.folder
        owner = assignment.student.id if assignment.student else assignment.label
        return self.run.student(owner, assignment.variant_id)

    def document(self, **changes: Any) -> Document:
        """A document of the run's versions and layout, with ``changes``."""
        return Document(**{"versions": self.versions, "templates": self.templates, **changes})

    def tex(self, name: str) -> Path:
        """A LaTeX source of the class, in the run's tex/ folder."""
        return self.run.tex / name


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


@dataclass
class ChunksDone:
    """The class's key entries (encoded, in copy order), copies built, copies failed."""

    key_parts: list[bytes]  # each chunk's encoded key entries (key.write.join_entries)
    copies: int
    failures: tuple[Failure, ...]
    printed: PrintFile | None  # the print file, to save once the key is written


def collect(results: list[ChunkResult], run: RunFolder, printed: PrintFile | None, *,
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
        kept = pdf.keep_sources(run.root)
        raise ClassBuildError(
            f"every copy failed to typeset, so nothing was written (any earlier output is "
            f"unchanged); the LaTeX sources and TeX's logs are in {kept}. First: "
            f"{failures[0]}"
        )
    rows = "".join(r.csv_file.read_text(encoding="utf-8") for r in results)
    header = csv_rows([], header=True, pool=pool)
    run.answer_csv.write_text(header + rows, encoding="utf-8")
    key_parts = [r.key_file.read_bytes() for r in results if r.copies]
    for result in results:
        result.key_file.unlink()
        result.csv_file.unlink()
    return ChunksDone(key_parts, built, failures, printed)


def format_for(exam: Exam, typesetting: Typesetting) -> Path | None:
    """Build the cached format once, before the workers start (they would race to it), from
    the preamble the chunks have: the layout's own (``templates``), or a stale format
    would drop its extra preamble."""
    assert typesetting.engine is not None
    probe = typesetting.tex("format-probe.tex")
    source = render_tex(exam, exam.variants, Document(templates=typesetting.templates))
    probe.write_text(source, encoding="utf-8")
    fmt = pdf.precompiled_format(probe, typesetting.engine)
    probe.unlink()
    return fmt


def run_jobs(work: Callable[[Any], Any], jobs: Sequence[Any], typesetting: Typesetting,
             restore: Restore | None = None) -> Iterator[Any]:  # fmt: skip
    """``work`` done on each job (a chunk) in worker processes, the results in the order
    they finish (for the progress bar).  ``restore`` is called in each worker as it starts:
    what a spawned one needs to rebuild the state a forked one inherits.

    Only as many chunks as workers are ever handed out: on Ctrl-C, which the terminal
    sends to every process, the running chunks stop and no queued one starts.  Names are
    typeset in a worker even when one process does: Typst's thread pool does not survive
    a fork, so a process that has typeset a name must never fork workers again (they hang).
    """
    workers = min(typesetting.workers, len(jobs))
    if (workers <= 1 or len(jobs) == 1) and not typesetting.names_typeset:
        yield from map(work, jobs)
        return
    waiting = iter(jobs)
    context = start_context()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(restore,)) as pool:  # fmt: skip
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


def _start_worker(restore: Restore | None) -> None:
    worker_init()
    if restore is not None:
        function, arguments = restore
        function(*arguments)


class PrintFile:
    """The print file: every chunk's exam pages in copy order (each copy starts on an odd
    page), taken in as the chunks finish, while the workers typeset the others, and saved
    once the key is written.  ``pages`` takes a chunk's pages into its document: a unique
    build's print parts (unique.PrintParts), or a pool's layers (pool.PrintPages).

    The page tree is built in one go: appending pages one by one (``pages.extend``)
    costs time in proportion to the pages already there, minutes for a class of 2000.
    """

    def __init__(self, pages: PrintSource) -> None:
        self.pages = pages
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


def tidy(tex: Path, *suffixes: str) -> None:
    """Keep the .tex source; drop TeX's by-products (and ``suffixes``)."""
    for suffix in (".aux", ".log", ".ranges", *suffixes):
        tex.with_suffix(suffix).unlink(missing_ok=True)
