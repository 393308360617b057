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

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf

from generator.authoring.figures import write_figures
from generator.bank.blueprints import Blueprint, load_blueprint
from generator.bank.questions import Bank, load_bank
from generator.builds import page_trees
from generator.builds.chunks import (
    MIN_CHUNKS,
    ChunkResult,
    ChunksDone,
    Failure,
    PrintFile,
    Typesetting,
    collect,
    format_for,
    run_jobs,
    tidy,
)
from generator.errors import LatexError
from generator.key import write
from generator.key.answer_csv import csv_rows
from generator.key.records import json_ready
from generator.render import names, pdf
from generator.render.latex import render_tex
from generator.variants.assemble import Exam, Variant, build_exam
from generator.variants.roster import Assignment
from generator.variants.seeding import Seeding

MAX_CHUNK = 25  # copies per TeX document at most (a run costs ~30 ms to start)


@dataclass(frozen=True)
class Draw:
    """What the copies are drawn from: the bank and blueprint loaded, and as the command
    line named them (a worker that does not start forked with them loads them again)."""

    plan: Blueprint
    bank: Bank
    seeding: Seeding
    blueprint: str | None = None
    banks: tuple[Path, ...] = ()


@dataclass(frozen=True)
class _Job:
    """What a worker needs to build one chunk (plain data: it crosses processes)."""

    index: int
    assignments: tuple[Assignment, ...]
    seeding: Seeding
    blueprint: str | None
    banks: tuple[Path, ...]
    typesetting: Typesetting


def build_chunks(
    draw: Draw,
    assignments: Sequence[Assignment],
    first: Exam,
    typesetting: Typesetting,
    progress: Callable[[int], None],
) -> ChunksDone:
    """Typeset the class into ``typesetting.folder`` chunk by chunk (see the module
    docstring); ``first`` is the class's first copy, drawn.

    A rebuild of one copy (``typesetting.keep``) typesets its chunk with the same copies
    as in the class build, so its PDFs are the very same bytes, and the run is laid out
    as a single exam's.  Writes answer-key.csv; the print file (:class:`PrintFile`) is
    saved once the key is written (its 60 kB a student are let go first).
    """
    _CACHE[(draw.banks, draw.blueprint)] = (draw.bank, draw.plan)  # forked workers start with it
    typesetting.run.tex.mkdir()
    if typesetting.engine:
        typesetting = replace(typesetting, fmt=format_for(first, typesetting))
    jobs = _jobs(draw, assignments, typesetting)
    printed = PrintFile(PrintParts()) if typesetting.engine and typesetting.keep is None else None
    results = []
    for result in run_jobs(build_chunk, jobs, typesetting):
        results.append(result)
        progress(result.copies)
        if printed is not None:
            printed.add(result)
    done = collect(results, typesetting.run, printed)
    if typesetting.keep is not None:  # the chunk's sources hold the other students' copies
        rebuilt = [a for a in assignments if a.variant_id in typesetting.keep]
        _write_sources(draw, rebuilt, typesetting)
    return done


def _write_sources(draw: Draw, assignments: list[Assignment], typesetting: Typesetting) -> None:
    """The LaTeX of a rebuilt copy on its own (``exam.tex``, ``solutions.tex``, and its name
    pages), in place of the chunk's sources, which hold other students' copies."""
    run = typesetting.run
    exam = build_exam(draw.plan, draw.bank, draw.seeding, assignments=assignments)
    for version in typesetting.versions:
        source = render_tex(exam, exam.variants, typesetting.document(versions=(version,)))
        run.document(version).write_text(source, encoding="utf-8")
    for variant in exam.variants:
        pages = run.tex / names.page_file(variant.variant_id)
        if pages.exists():
            (run.root / names.NAMES_DIR).mkdir(exist_ok=True)
            pages.rename(run.root / names.page_file(variant.variant_id))
    shutil.rmtree(run.tex)


def _jobs(draw: Draw, assignments: Sequence[Assignment], typesetting: Typesetting) -> list[_Job]:
    """The class cut into chunks; for a rebuild, only the chunk holding the copy."""
    size = chunk_size(len(assignments))
    chunks = [tuple(assignments[i : i + size]) for i in range(0, len(assignments), size)]
    jobs = [_Job(i, chunk, draw.seeding, draw.blueprint, draw.banks, typesetting)
            for i, chunk in enumerate(chunks)]  # fmt: skip
    if typesetting.keep is None:
        return jobs
    return [job for job in jobs if typesetting.keep & {a.variant_id for a in job.assignments}]


def chunk_size(copies: int) -> int:
    """Copies per TeX run: a function of the class size only, never of --workers, so that
    the .tex files of a class are the same on every machine."""
    return max(1, min(MAX_CHUNK, -(-copies // MIN_CHUNKS)))


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
    typesetting = job.typesetting
    exam = build_exam(plan, bank, job.seeding, assignments=job.assignments)
    kept = [v for v in exam.variants if typesetting.keeps(v.variant_id)]
    header = write.key_header(exam)
    records = [write.variant_record(v, figures=typesetting.figures) for v in kept]
    entries = [write.check_entry(header, json_ready(record)) for record in records]
    tex = typesetting.tex(f"{job.index:04d}.tex")
    result = ChunkResult(job.index, len(entries), tex.with_suffix(".key"), tex.with_suffix(".csv"))
    result.key_file.write_bytes(write.join_entries(write.encode_variant(e) for e in entries))
    result.csv_file.write_text(csv_rows(records), encoding="utf-8")
    if typesetting.figures:
        write_figures(kept, typesetting.folder)
    source = render_tex(exam, exam.variants, typesetting.document(duplex=True))
    tex.write_text(source, encoding="utf-8")
    if typesetting.engine is None:
        return result  # the name pages are typeset with the PDFs
    for variant in exam.variants:  # every copy of the chunk, kept or not: the same PDF bytes
        if (student := variant.assignment.student) is not None:
            names.write_pages(tex.parent, variant.variant_id, student.name, student.id)
    fmt = _format(typesetting, source, typesetting.engine)
    try:
        pdf.compile_pdf(tex, typesetting.engine, fmt)
    except LatexError:
        result.failures = _one_by_one(exam, kept, job)
        if typesetting.keep is None:
            good = [typesetting.copy_folder(v.assignment) / "exam.pdf" for v in kept]
            result.pdf = tex.with_name(f"{tex.stem}-print.pdf")
            result.exam_pages = print_part([f for f in good if f.exists()], result.pdf)
    else:
        folders = [typesetting.copy_folder(v.assignment) if typesetting.keeps(v.variant_id)
                   else None for v in exam.variants]  # fmt: skip
        result.exam_pages = _split(tex, [(f, v) for v in typesetting.versions for f in folders])
        result.pdf = tex.with_suffix(".pdf") if typesetting.keep is None else None
    tidy(tex)
    return result


def _one_by_one(exam: Exam, variants: list[Variant], job: _Job) -> list[Failure]:
    """Typeset each copy of a failed chunk alone: keep the good ones, name the bad ones."""
    typesetting = job.typesetting
    failures = []
    for variant in variants:
        folder = typesetting.copy_folder(variant.assignment)
        for version in typesetting.versions:
            tex = typesetting.tex(f"{job.index:04d}-{variant.variant_id}-{version}.tex")
            source = render_tex(exam, [variant], typesetting.document(versions=(version,)))
            tex.write_text(source, encoding="utf-8")
            engine = typesetting.engine or pdf.ENGINE
            try:
                pdf.compile_pdf(tex, engine, _format(typesetting, source, engine))
            except LatexError as exc:
                exc.source = tex.relative_to(typesetting.folder)  # where it is in the finished run
                failures.append(_failure(variant.assignment, version, source, exc))
                tex.with_suffix(".ranges").unlink(missing_ok=True)  # the .log stays, to read
                break
            _split(tex, [(folder, version)])
            tidy(tex)
            tex.with_suffix(".pdf").unlink()
    return failures


def _format(typesetting: Typesetting, source: str, engine: str) -> Path | None:
    """The run's precompiled format, if it was made for this source's preamble."""
    fmt = typesetting.fmt
    return fmt if fmt and pdf.made_for(fmt, source, engine) else None


def _failure(assignment: Assignment, kind: str, source: str, exc: LatexError) -> Failure:
    who = assignment.label
    question = "the cover page"
    if exc.line is not None:
        before = source.split("\n")[: exc.line]
        number = sum(line.startswith(r"\titledquestion") for line in before)
        if number:
            question = f"Question {number}"
    return Failure(assignment.variant_id, who, f"{question} of the {kind}", str(exc))


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
