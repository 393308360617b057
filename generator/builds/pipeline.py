"""build(): every run of generate-exam, one exam or a whole class, read top to bottom.

load the bank -> load the blueprint -> check TeX and the names -> the secret -> the
copies -> the run's folder -> in a staging folder: typeset the copies (one exam as two
documents, a class in chunks, see unique.py and pool.py) -> key.json -> a class's print.pdf ->
LMS exports -> the staging folder replaces the run's folder at the end, so a failed run
leaves nothing behind and any earlier output unchanged (a class in which some copies fail
to typeset keeps the others, and the run reports the failed ones).

A single exam is a class of one: the same steps, the same key writer, the same
exports; only how its copies are typeset and laid out differs (:class:`Layout`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.authoring.figures import write_figures
from generator.bank.blueprints import Blueprint, load_blueprint
from generator.bank.questions import Bank, load_bank
from generator.errors import ExamError, LatexError
from generator.key import write
from generator.lms import WITHOUT_FIGURES
from generator.lms import export as export_lms
from generator.render import names, pdf
from generator.render.latex import Document, render_tex
from generator.render.templating import check_layout
from generator.run_folder import RunFolder
from generator.staging import staging
from generator.variants.assemble import Exam, build_exam
from generator.variants.roster import (
    MAX_COPIES,
    Assignment,
    RosterError,
    Student,
    find_copy,
    for_roster,
    numbered,
)
from generator.variants.secret import SecretFile, resolve
from generator.variants.seeding import Secret, Seeding

if TYPE_CHECKING:  # a class's typesetting (pikepdf, processes) loads for a class only
    from generator.builds.chunks import Failure, PrintFile, Typesetting

Report = Callable[[str], None]
VERSIONS = ("exam", "solutions")


@dataclass(frozen=True)
class BuildSpec:
    """What to build: everything the command line says, as plain data.

    ``secret`` has no default: a script asks for public mode by name (``PUBLIC``), as the
    command line asks for ``--public``, or gives the course's ``SecretFile``.

    ``students`` (a roster) or ``copies`` > 1 make a class: one copy per student or
    numbered copies v0 ... v(N-1).  ``only`` rebuilds one copy (the code printed on its
    pages, or v<k>).  ``figures`` asks for PNG copies of the figures, which LMS exports
    that show questions need as well; the PDFs draw their own, so no run makes them
    otherwise (drawing them loads matplotlib: half of a plain exam's time).
    ``templates`` is an institution's folder of layout partials (partials.py), searched
    before the shipped ones.  ``pool`` K draws each copy's questions from K variants per
    question, typeset once (pool.py).
    """

    seed: int = 0
    secret: Secret | SecretFile | None = None  # required: a SecretFile, or PUBLIC by name
    blueprint: str | None = None
    out: Path = Path("output")
    banks: tuple[Path, ...] = ()
    pdf: bool = True
    solutions: bool = True
    figures: bool = False
    lms: tuple[str, ...] = ()
    force: bool = False
    replica: bool = False
    students: tuple[Student, ...] | None = None
    copies: int | None = None
    only: str | None = None
    workers: int = 1
    templates: Path | None = None
    pool: int | None = None

    def __post_init__(self) -> None:
        if self.secret is None:  # the command line warns of public mode: never imply it
            raise BuildSpecError(
                "BuildSpec needs secret=: SecretFile(path) for an exam students take, or "
                "PUBLIC to ask for public mode (anyone can rebuild it from the seed)."
            )
        check_request(replica=self.replica, copies=self.copies,
                      roster=self.students is not None, only=self.only)  # fmt: skip
        if self.pool is not None and not self.whole_class:
            raise BuildSpecError(
                "--pool draws each student's questions from a pool of variants: give a "
                "class (--roster or --variants N)."
            )

    @property
    def whole_class(self) -> bool:
        return self.students is not None or (self.copies or 1) > 1

    @property
    def versions(self) -> tuple[str, ...]:
        return VERSIONS if self.solutions else ("exam",)

    @property
    def draws_figures(self) -> bool:
        return self.figures or bool(set(self.lms) - WITHOUT_FIGURES)


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    exam: Exam  # the run's first copy, or the rebuilt one (title, points and seed to print)
    copies: int  # how many copies were built
    failures: tuple[Failure, ...] = ()
    exports: tuple[Path, ...] = ()


class BuildSpecError(ExamError):
    """A BuildSpec asks for what no run can be."""


def check_request(*, replica: bool, copies: int | None, roster: bool, only: str | None) -> None:
    """What no run can be, in the options' words: the rules of :class:`BuildSpec`, which
    the command line also checks before it reads a roster."""
    if replica and (copies is not None or roster or only):
        raise BuildSpecError(
            "--replica builds the original exam only; drop --variants, --roster and --variant-id."
        )
    if copies is not None and roster:
        raise BuildSpecError("use either --variants or --roster, not both.")


class ClassSizeError(ExamError):
    """More copies than one class build makes."""


class CopiesFailed(LatexError):
    """Some copies of a class failed to typeset; the others were written."""

    def __init__(self, message: str, result: BuildResult) -> None:
        super().__init__(message)
        self.result = result


def build(
    spec: BuildSpec,
    *,
    progress: Callable[[int], None] = lambda done: None,
    report: Report = lambda message: None,
) -> BuildResult:
    """Build what ``spec`` asks for into ``spec.out/<run name>/`` (see the module docstring)."""
    if spec.templates is not None:
        spec = replace(spec, templates=check_layout(spec.templates))
    bank = load_bank(spec.banks)
    plan = load_blueprint(spec.blueprint, bank)
    if spec.replica and plan.draws:
        raise BuildSpecError(
            f"{plan.path}: --replica prints the original exam, but this blueprint draws or "
            "shuffles its questions; use a blueprint that lists each question with id."
        )
    engine = pdf.check_tex() if spec.pdf else None
    if engine and spec.students:
        names.check_printable((s.where, text) for s in spec.students for text in (s.name, s.id))
    seeding = Seeding(spec.seed, resolve(spec.secret, report))
    copies = assignments(seeding, spec)
    target = find_copy(seeding, spec.only, spec.students) if spec.only else None
    if target and spec.whole_class and target not in copies:
        raise RosterError(
            f"--variant-id {spec.only} is not a copy of this class of {len(copies)}; give one "
            f"of its copies (v0 to v{len(copies) - 1}, or the code printed on its pages)."
        )
    layout = Layout(spec, plan, bank, seeding, copies, target)
    folder = layout.folder(plan.name)
    first = build_exam(plan, bank, seeding, assignments=layout.copies[:1], replica=spec.replica)
    header = write.key_header(first, pool=spec.pool)
    with staging(folder, force=spec.force) as tmp:
        run = RunFolder(tmp)
        typeset = layout.typeset(run, engine, first, header, progress, report)
        write.write_key(run.key, header, typeset.key_variants)
        typeset.key_variants = []  # a class's 60 kB a student: the print file needs the memory
        if typeset.printed is not None:
            typeset.printed.save(run.print_pdf)
        exports = export_lms(tmp, spec.lms, spec.banks) if spec.lms else []
    result = BuildResult(folder, first, typeset.copies, typeset.failures,
                         tuple(folder / p.relative_to(tmp) for p in exports))  # fmt: skip
    if typeset.failures:
        raise CopiesFailed(
            f"{len(typeset.failures)} copies failed to typeset (listed above); "
            "the other copies were written.",
            result,
        )
    return result


def assignments(seeding: Seeding, spec: BuildSpec) -> list[Assignment]:
    """Every copy of the run: v0 alone, numbered copies, or one per student."""
    count = len(spec.students) if spec.students is not None else spec.copies or 1
    if count > MAX_COPIES:
        raise ClassSizeError(
            f"{count:,} copies is more than the {MAX_COPIES:,} one class build makes; "
            "split the roster, or build fewer --variants."
        )
    if spec.students is not None:
        return for_roster(seeding, spec.students)
    return numbered(seeding, count)


@dataclass
class Typeset:
    """What typesetting the copies gave: their key entries (encoded, one by one or in runs
    of write.join_entries), how many were built, and the copies whose LaTeX failed."""

    key_variants: list[bytes]
    copies: int
    failures: tuple[Failure, ...] = ()
    printed: PrintFile | None = None  # a class's print file, to save


@dataclass
class Layout:
    """How a run's copies are typeset and laid out.

    One copy (``--seed 42``, ``--variant-id`` without a class, ``--replica``): exam.tex and
    solutions.tex as two documents typeset side by side, their PDFs beside them.  A class,
    or one copy rebuilt from it: chunks of copies per document (unique.py, pool.py), so that a
    rebuilt copy's PDFs are the very bytes of the class build's.
    """

    spec: BuildSpec
    plan: Blueprint
    bank: Bank
    seeding: Seeding
    all_copies: list[Assignment]
    target: Assignment | None
    copies: list[Assignment] = field(init=False)

    def __post_init__(self) -> None:
        self.copies = [self.target] if self.target else self.all_copies

    def folder(self, exam_name: str) -> Path:
        """One folder per kind of run, so that no run replaces another's."""
        copy = self.target.variant_id if self.target else None
        whole_class = self.spec.whole_class and self.target is None
        return self.spec.out / run_name(exam_name, self.seeding, replica=self.spec.replica,
                                        copy=copy, whole_class=whole_class)  # fmt: skip

    def typeset(self, run: RunFolder, engine: str | None, first: Exam, header: dict[str, Any],
                progress: Callable[[int], None], report: Report) -> Typeset:  # fmt: skip
        """Typeset every copy into ``run``; ``first`` is the run's first (or rebuilt) copy,
        drawn, and ``header`` the key's header."""
        if self.spec.pool is not None:
            return self._pool(self._typesetting(run, engine), header, progress)
        if self.spec.whole_class:
            return self._chunks(self._typesetting(run, engine), first, progress)
        return self._one_copy(run, engine, first, header, report)

    def _typesetting(self, run: RunFolder, engine: str | None) -> Typesetting:
        from generator.builds.chunks import Typesetting

        spec = self.spec
        return Typesetting(
            run.root, engine, versions=spec.versions, figures=spec.draws_figures,
            templates=spec.templates, workers=spec.workers,
            keep=frozenset([self.target.variant_id]) if self.target else None,
            names_typeset=bool(engine and spec.students),
        )  # fmt: skip

    def _one_copy(self, run: RunFolder, engine: str | None, exam: Exam, header: dict[str, Any],
                  report: Report) -> Typeset:  # fmt: skip
        spec = self.spec
        entries = [write.check_entry(header, write.variant_entry(v, figures=spec.draws_figures))
                   for v in exam.variants]  # fmt: skip
        tmp = run.root
        texs = []
        for version in spec.versions:
            tex = run.document(version)
            document = Document(versions=(version,), templates=spec.templates)
            source = render_tex(exam, exam.variants, document)
            tex.write_text(source, encoding="utf-8")
            texs.append(tex)
        if spec.draws_figures:
            write_figures(exam.variants, tmp)
        if engine:
            report(f"Compiling {', '.join(t.with_suffix('.pdf').name for t in texs)} ...")
            try:
                pdf.compile_all(texs, engine)
            except LatexError as exc:
                if exc.source is not None:  # the staging folder goes: point to a copy
                    exc.source = pdf.keep_sources(tmp) / exc.source.relative_to(tmp)
                raise
            _remove_byproducts(tmp)
        return Typeset([write.encode_variant(e) for e in entries], len(entries))

    def _pool(self, typesetting: Typesetting, header: dict[str, Any],
              progress: Callable[[int], None]) -> Typeset:  # fmt: skip
        from generator.builds import pool

        spec = self.spec
        assert spec.pool is not None
        drawn = pool.draw_pool(self.plan, self.bank, self.seeding, self.all_copies,
                               spec.pool, spec.templates)  # fmt: skip
        redraw = pool.Redraw(spec.banks, spec.blueprint, self.seeding, tuple(self.all_copies),
                             spec.pool, spec.templates)  # fmt: skip
        done = pool.build_pool(drawn, header, typesetting, progress, redraw)
        return Typeset(done.key_parts, done.copies, done.failures, done.printed)

    def _chunks(self, typesetting: Typesetting, first: Exam,
                progress: Callable[[int], None]) -> Typeset:  # fmt: skip
        from generator.builds import unique

        spec = self.spec
        draw = unique.Draw(self.plan, self.bank, self.seeding, spec.blueprint, spec.banks)
        done = unique.build_chunks(draw, self.all_copies, first, typesetting, progress)
        return Typeset(done.key_parts, done.copies, done.failures, done.printed)


def run_name(
    exam: str,
    seeding: Seeding,
    *,
    replica: bool = False,
    copy: str | None = None,
    whole_class: bool = False,
) -> str:
    """The run's folder name: one per kind of run, so that no run replaces another's."""
    if replica:
        return f"{exam}-replica"
    parts = [exam, f"seed{seeding.seed}", copy, "class" if whole_class else None,
             "public" if seeding.secret.public else None]  # fmt: skip
    return "-".join(part for part in parts if part)


def _remove_byproducts(folder: Path) -> None:
    """Keep what a user opens (.tex, .pdf, .json); drop TeX's .aux and .log."""
    for path in folder.iterdir():
        if path.suffix in (".aux", ".log", ".out", ".ranges"):
            path.unlink()
