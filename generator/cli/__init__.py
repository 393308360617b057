"""The generate-exam command: parses flags, calls the library, maps errors to exit codes.

``generate-exam --seed 42`` builds an exam (the ``build`` command is the default);
``generate-exam check`` stress-checks the question bank; ``generate-exam preview ID`` shows
N variants of one question side by side.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Light modules only (no numpy, sympy, matplotlib, lxml): what the options declare and
# parse. Each command imports what it runs, inside its function, so that --help and a
# plain exam load only what they use.
from generator import __version__
from generator.bank import scaffold
from generator.bank.blueprints import DEFAULT_BLUEPRINT, resolve_blueprint_path
from generator.errors import ExamError, os_error, write_file
from generator.lms import FORMATS, LMS_DIR, export_run, parse_formats
from generator.preview.spec import (
    DEFAULT_VARIANTS,
    MAX_VARIANTS,
    PreviewSpec,
    describe_seeds,
    parse_seeds,
)
from generator.preview.watch import POLL_SECONDS, watch
from generator.render.partials import allowed_names, check_templates_dir
from generator.resources import blueprints_dir
from generator.variants.roster import MAX_COPIES, check_copy_name, read_roster
from generator.variants.secret import SECRET_FILE, SecretFile, default_secret_path, is_inside
from generator.variants.seeding import MAX_SEED, PUBLIC, Secret

if TYPE_CHECKING:
    from generator.build.pipeline import BuildResult, BuildSpec
    from generator.preview.pipeline import PreviewResult

PUBLIC_WARNING = (
    "Warning: public mode: anyone with this tool can rebuild these exams and their "
    "solutions from the seed; never use it for an exam students take."
)


class DefaultCommandGroup(click.Group):
    """A group whose first command runs when no command is named (``generate-exam --seed 1``)."""

    default_command = "build"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("-h", "--help", "--version")
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _non_negative(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise click.BadParameter(f"{value} is negative; use a whole number >= 0.")
    return value


bank_option = click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra question-bank folder (repeatable), searched after the shipped bank.",
)


MAX_WORKERS = max(64, os.cpu_count() or 1)
MAX_CHECK_VARIANTS = 100_000  # about 1.4 GB of draws for the seven questions

workers_option = click.option(
    "--workers",
    type=click.IntRange(1, MAX_WORKERS),
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Processes to use (class builds and checks).",
)


@click.group(cls=DefaultCommandGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="generate-exam")
def cli() -> None:
    """Randomized deep-learning exams with keys computed by a numpy engine.

    Without a command, builds an exam: generate-exam --seed 42 (see generate-exam build -h).
    Add --debug to any command to see the traceback behind an error.
    """


@cli.command()
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    default=None,
    help="Exam seed, a whole number >= 0: the same seed and secret always give the same "
    "exam. Required unless --replica.",
)
@click.option(
    "--blueprint",
    metavar="NAME|FILE",
    default=None,
    help=f"Shipped blueprint name or path to a .toml file [default: {DEFAULT_BLUEPRINT}].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder that receives <exam-name>-seed<SEED>/.",
)
@click.option(
    "--pdf/--no-pdf",
    "pdf_output",
    default=True,
    show_default=True,
    help="Compile the PDFs with pdflatex.",
)
@bank_option
@click.option(
    "--templates",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    callback=lambda ctx, param, value: _checked(check_templates_dir, value),
    help=f"Your own layout: partials that replace the shipped ones ({allowed_names()}).",
)
@click.option(
    "--replica", is_flag=True, help="Pin every question to the original exam's own values."
)
@click.option(
    "--variants",
    type=click.IntRange(1, MAX_COPIES),
    default=None,
    help="Build N copies v0 ... v(N-1), one variant each.",
)
@click.option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="CSV with a header row: one copy per student, variant fixed by the student id.",
)
@click.option("--id-column", default=None, help="Roster column of the student id [default: auto].")
@click.option("--name-column", default=None, help="Roster column of the name [default: auto].")
@click.option(
    "--variant-id",
    default=None,
    metavar="CODE",
    callback=lambda ctx, param, value: _checked(check_copy_name, value),
    help="Rebuild one copy: the code printed on its pages, or v<number> of --variants.",
)
@click.option(
    "--pool",
    type=click.IntRange(min=2),
    default=None,
    metavar="K",
    help="For a large class: K variants of each question, typeset once, and each student "
    "draws one of them per question (see the README on when to choose it).",
)
@click.option(
    "--solutions/--no-solutions",
    default=True,
    show_default=True,
    help="Also write the solutions (.tex and PDF); the key is always written.",
)
@click.option(
    "--figures/--no-figures",
    default=False,
    show_default=True,
    help="Also write PNG copies of the figures (the PDFs draw their own); --lms with a "
    "format that shows questions writes them anyway.",
)
@click.option(
    "--lms",
    "lms_formats",
    default=None,
    metavar="LIST",
    callback=lambda ctx, param, value: _checked(parse_formats, value),
    help=f"Also export for learning-management systems: {','.join(FORMATS)}, or all.",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The instructor's secret, made on first use [default: {SECRET_FILE} beside the "
    "blueprint; for a shipped blueprint, in ~/.config/exam-variant-generator/].",
)
@click.option(
    "--public",
    is_flag=True,
    help="Public mode for demos, docs and tests: no secret, so anyone can rebuild the "
    "exams and their solutions from the seed.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the run's folder even if it holds files this run does not write.",
)
@workers_option
def build(
    seed: int | None,
    blueprint: str | None,
    out: Path,
    pdf_output: bool,
    banks: tuple[Path, ...],
    templates: Path | None,
    replica: bool,
    variants: int | None,
    roster: Path | None,
    id_column: str | None,
    name_column: str | None,
    variant_id: str | None,
    pool: int | None,
    solutions: bool,
    figures: bool,
    lms_formats: list[str] | None,
    secret_file: Path | None,
    public: bool,
    force: bool,
    workers: int,
) -> None:
    """Generate an exam (or one per student), its solutions and its answer key."""
    from generator.build.pipeline import BuildSpec, CopiesFailed
    from generator.build.pipeline import build as build_exams

    if seed is None and not replica:
        raise click.UsageError("Missing option '--seed' (a whole number >= 0, e.g. --seed 42).")
    if replica and (variants or roster or variant_id):
        raise click.UsageError(
            "--replica builds the original exam only; drop --variants, --roster and --variant-id."
        )
    if variants and roster:
        raise click.UsageError("use either --variants or --roster, not both.")
    students = read_roster(roster, id_column, name_column) if roster else None
    secret = _secret(public or replica, secret_file, blueprint, out, variant_id is not None)
    if public and not replica:
        click.echo(PUBLIC_WARNING, err=True)
    spec = BuildSpec(seed=seed or 0, secret=secret, blueprint=blueprint, out=out, banks=banks,
                     pdf=pdf_output, solutions=solutions, figures=figures,
                     lms=tuple(lms_formats or ()), force=force, replica=replica,
                     students=tuple(students) if students is not None else None,
                     copies=variants, only=variant_id, workers=workers,
                     templates=templates, pool=pool)  # fmt: skip
    started = time.perf_counter()
    total = 1 if variant_id or not spec.whole_class else len(students or ()) or variants or 1
    try:
        with Progress(total, "Building copies", quiet=not spec.whole_class) as progress:
            result = build_exams(spec, progress=progress.advance, report=_note)
    except CopiesFailed as exc:
        _summary(spec, exc.result, time.perf_counter() - started)
        raise
    _summary(spec, result, time.perf_counter() - started)
    if result.exports:
        _list_exports(result.folder, result.exports)


@cli.command("export")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--lms", "lms_formats", required=True, metavar="LIST",
              callback=lambda ctx, param, value: _checked(parse_formats, value),
              help=f"Comma-separated formats: {','.join(FORMATS)}, or all.")  # fmt: skip
def export_command(folder: Path, lms_formats: list[str]) -> None:
    """Export a folder written by generate-exam (one exam or a class) to LMS formats."""
    _list_exports(folder, export_run(folder, lms_formats))


@cli.command("grade")
@click.argument("run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--responses", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of responses: long (student, label, response), wide (a column "
              "per part label), Canvas's Student Analysis or Moodle's Responses "
              "report.")  # fmt: skip
@click.option(
    "--canvas-assignment",
    metavar="ID",
    default=None,
    help="Canvas's id of the quiz's assignment, for the gradebook import's column.",
)
@click.option("--force", is_flag=True, help="Replace RUN/grades/ even if it holds other files.")
def grade_command(run: Path, responses: Path, canvas_assignment: str | None, force: bool) -> None:
    """Grade each student's responses against their own copy in RUN/key.json."""
    from generator.grading import pipeline as grading

    graded = grading.grade_run(run, responses, force=force, canvas_assignment=canvas_assignment)
    pending = sum(g.pending for g in graded)
    mean = sum(g.total for g in graded) / len(graded) if graded else 0
    click.echo(f"Graded {len(graded)} students: mean {mean:.2f} points; "
               f"{pending} response(s) to grade by hand (text, formula, code).")  # fmt: skip
    click.echo(f"Wrote {run / grading.GRADES_DIR}/ (grades.csv, feedback.csv, "
               "canvas-gradebook.csv, moodle-grades.csv, feedback/)")  # fmt: skip


@cli.command("diff-keys")
@click.argument("old_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--csv", "as_csv", is_flag=True, help="Print the changes as CSV (to redirect).")
@click.option("--responses", type=click.Path(dir_okay=False, path_type=Path),
              help="Grade these responses with both keys; list the scores that moved.")  # fmt: skip
def diff_keys_command(old_run: Path, new_run: Path, as_csv: bool, responses: Path | None) -> None:
    """List every copy and part whose key changed between two runs of the same exam
    (after a fix to the bank, the same seed and secret built again)."""
    from generator.key import diff as keydiff

    if responses is not None:
        _regrade(old_run, new_run, responses, as_csv)
        return
    changes = keydiff.diff_runs(old_run, new_run)
    if as_csv:
        click.echo(keydiff.changes_csv(changes), nl=False)
        return
    for c in changes:
        who = f" ({c.student_id})" if c.student_id else ""
        click.echo(f"{c.variant}{who} {c.label} {c.field}: {keydiff.shown(c.old) or '-'} -> "
                   f"{keydiff.shown(c.new) or '-'}")  # fmt: skip
    click.echo(keydiff.summary(changes))


def _regrade(old_run: Path, new_run: Path, responses: Path, as_csv: bool) -> None:
    from generator.key import diff as keydiff

    moved = keydiff.regrade(old_run, new_run, responses)
    if as_csv:
        click.echo(keydiff.regraded_csv(moved), nl=False)
        return
    for m in moved:
        who = f" ({m.student_id})" if m.student_id else ""
        click.echo(f"{m.variant}{who} {m.label}: {keydiff.shown(m.old) or '-'} -> "
                   f"{keydiff.shown(m.new) or '-'} points; total {m.old_total:g} -> "
                   f"{m.new_total:g}")  # fmt: skip
    students = len({m.variant for m in moved})
    click.echo(f"{len(moved)} score(s) of {students} student(s) changed." if moved
               else "No score changed: every response earns what it earned.")  # fmt: skip


def _checked(parse: Callable[[str], Any], value: str | None) -> Any:
    """An option's value parsed by the library, its mistake a usage error (exit 2)."""
    if value is None:
        return None
    try:
        return parse(value)
    except ExamError as exc:
        raise click.BadParameter(str(exc)) from None


def _list_exports(folder: Path, written: Sequence[Path]) -> None:
    click.echo(f"Exported to {folder / LMS_DIR}/:")
    for path in written:
        click.echo(f"  {path.relative_to(folder / LMS_DIR)}  {path.stat().st_size:,} bytes")


def _note(message: str) -> None:
    click.echo(message, err=True)


def _secret(
    public: bool, secret_file: Path | None, blueprint: str | None, out: Path, rebuild: bool
) -> Secret | SecretFile:
    """The published secret, or the instructor's file (made on first use, never by a
    rebuild: a new secret cannot rebuild anything)."""
    if public:
        if secret_file is not None:
            raise click.UsageError("--public uses no secret; drop --secret-file or --public.")
        return PUBLIC
    if secret_file is None:
        path = resolve_blueprint_path(blueprint)
        secret_file = default_secret_path(path, shipped=is_inside(path, blueprints_dir()))
    if is_inside(secret_file, out):
        raise click.BadParameter(
            f"{secret_file} is inside the output folder {out}, whose files are handed out; "
            "keep the secret elsewhere.",
            param_hint="--secret-file",
        )
    return SecretFile(secret_file, create=not rebuild)


def _summary(spec: BuildSpec, result: BuildResult, seconds: float) -> None:
    """What the run wrote: for one exam its files, for a class the copies and the layout."""
    if not spec.whole_class:
        exam = result.exam
        which = "replica of the original exam." if spec.replica else f"seed {exam.seed}."
        extra = f" + {exam.bonus_points:g} extra credit" if exam.bonus_points else ""
        click.echo(
            f"{exam.blueprint.title}: {len(exam.questions)} questions, "
            f"{exam.points:g} points{extra}, {which}"
        )
        click.echo(f"Wrote {result.folder}/")
        for path in sorted(result.folder.iterdir()):
            size = f"{path.stat().st_size:>9,} bytes" if path.is_file() else "   folder"
            click.echo(f"  {path.name:<16} {size}")
        return
    built = result.copies - len(result.failures)
    click.echo(f"Wrote {result.folder}/ in {seconds:.1f} s: {built} of {result.copies} copies")
    click.echo(f"  {_written(result.folder)}")
    if result.exam.blueprint.draws:
        click.echo("  Copies drew their own questions or order: key.json lists each copy's.")
    for failure in result.failures:
        click.echo(f"  FAILED {failure}")


def _written(folder: Path) -> str:
    """What a class run wrote, as one line."""
    from generator.build.unique import STUDENTS_DIR

    listed = []
    students = sorted((folder / STUDENTS_DIR).iterdir()) if (folder / STUDENTS_DIR).is_dir() else []
    if students:
        pdfs = ", ".join(sorted(p.name for p in students[0].iterdir()))
        listed.append(f"{STUDENTS_DIR}/<copy>/{pdfs}")
    for name in ("print.pdf", "key.json", "answer-key.csv", "tex", "figures", LMS_DIR):
        if (folder / name).exists():
            listed.append(name + "/" * (folder / name).is_dir())
    return "; ".join(listed)


class Progress:
    """Progress of a long build on stderr: a bar on a terminal, otherwise a line when the
    first work is done and at every tenth (a log, or a program waiting for the work)."""

    def __init__(self, total: int, label: str, *, quiet: bool = False) -> None:
        self.total, self.label, self.done, self.shown = total, label, 0, -1
        self.bar = None
        self.quiet = quiet  # one exam: too short for progress
        if sys.stderr.isatty() and not quiet:
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)

    def __enter__(self) -> Progress:
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def advance(self, count: int) -> None:
        self.done += count
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(count)
            return
        tenth = 10 * self.done // max(self.total, 1)
        if tenth > self.shown:
            self.shown = tenth
            click.echo(f"{self.label}: {self.done} of {self.total} done", err=True)

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc_info)


@cli.command()
@click.option(
    "--variants",
    type=click.IntRange(1, MAX_CHECK_VARIANTS),
    default=1000,
    show_default=True,
    help="Variants drawn per question (seeds first-seed, first-seed + 1, ...).",
)
@click.option(
    "--first-seed",
    type=int,
    default=0,
    show_default=True,
    callback=_non_negative,
    help="Seed of the first variant drawn.",
)
@click.option(
    "--question",
    "questions",
    multiple=True,
    metavar="ID",
    help="Check only this question (repeatable) [default: the whole bank].",
)
@bank_option
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write variant statistics to this file: Markdown, or HTML for *.html.",
)
@click.option(
    "--class-size",
    type=click.IntRange(min=2),
    default=40,
    show_default=True,
    help="Class size for the 'two most similar variants' figure of the report.",
)
@workers_option
def check(
    variants: int,
    first_seed: int,
    questions: tuple[str, ...],
    banks: tuple[Path, ...],
    report: Path | None,
    class_size: int,
    workers: int,
) -> None:
    """Draw many variants of every question and fail on any broken one."""
    from generator.bank.questions import load_bank, question_ids
    from generator.check.report import render_report
    from generator.check.stress import check_bank

    bank = load_bank(banks, only=set(questions) if questions else None)
    unknown = [q for q in questions if q not in bank]
    if unknown:
        raise click.BadParameter(
            f"unknown question '{unknown[0]}'; known ids: {', '.join(question_ids(banks))}.",
            param_hint="--question",
        )
    ids = list(questions) or sorted(bank)
    with Progress(variants * len(ids), "Checking variants") as progress:
        results = check_bank(
            banks,
            ids,
            variants=variants,
            first_seed=first_seed,
            workers=workers,
            progress=progress.advance,
        )
    broken = 0
    for qid, result in results.items():
        redrawn = sum(sum(d.attempts) - len(d.attempts) for d in result.draws)
        click.echo(
            f"{'FAIL' if result.findings else 'ok  '} {qid}: {variants} variants, "
            f"{len(result.findings)} broken, {redrawn} draws rejected"
        )
        for finding in result.findings[:5]:
            click.echo(f"     {finding}")
        if len(result.findings) > 5:
            click.echo(f"     ... and {len(result.findings) - 5} more")
        broken += len(result.findings)
    if report is not None:
        text = render_report(results, variants=variants, class_size=class_size, path=report)
        write_file(report, text, "--report")
        click.echo(f"Wrote {report}")
    if broken:
        failing = sum(1 for r in results.values() if r.findings)
        raise _Broken(
            f"{broken} broken variants in {failing} of {len(ids)} questions; "
            "each line above names the seed that reproduces it."
        )


@cli.command("new")
@click.argument("question_id", metavar="ID")
@click.option("--kind", type=click.Choice(scaffold.KINDS), default="number", show_default=True,
              help="The answer kind of the example part.")  # fmt: skip
@click.option("--topic", default="", help="Its topic [default: the first folder of ID].")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder the question's folder (ID) is written in; pass it to --bank.",
)
def new_command(question_id: str, kind: str, topic: str, into: Path) -> None:
    """Write a working question folder ID (question.toml, solve.py, question.tex.j2)."""
    folder = scaffold.new_question(question_id, into, kind=kind, topic=topic)
    bank = into / question_id.split("/")[0] if "/" in question_id else into
    click.echo(f"Wrote {folder}/ ({', '.join(sorted(p.name for p in folder.iterdir()))})")
    click.echo(f"Next: generate-exam preview {question_id} --bank {bank}   (its variants side "
               "by side, in output/)")  # fmt: skip
    click.echo(f"Then: generate-exam check --bank {bank} --question {question_id}")


@cli.command("preview")
@click.argument("question_id", metavar="ID")
@click.option(
    "--variants",
    type=click.IntRange(1, MAX_VARIANTS),
    default=None,
    help=f"Show seeds 0 to N-1 [default: {DEFAULT_VARIANTS}].",
)
@click.option(
    "--seeds",
    default=None,
    metavar="LIST",
    callback=lambda ctx, param, value: _checked(parse_seeds, value),
    help="Show these seeds instead, e.g. 3,7,9-12.",
)
@bank_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Folder that receives preview-<ID>/ (a slash of the id becomes -).",
)
@click.option(
    "--pdf/--no-pdf",
    "pdf_output",
    default=True,
    show_default=True,
    help="Also write preview.pdf with pdflatex.",
)
@click.option(
    "--watch",
    "watching",
    is_flag=True,
    help="Rebuild whenever a file of the question's folder changes; Ctrl-C stops.",
)
def preview_command(
    question_id: str,
    variants: int | None,
    seeds: tuple[int, ...] | None,
    banks: tuple[Path, ...],
    out: Path,
    pdf_output: bool,
    watching: bool,
) -> None:
    """Show N variants of question ID side by side (preview.html, preview.pdf), no blueprint."""
    if variants is not None and seeds is not None:
        raise click.UsageError("use either --variants or --seeds, not both.")
    chosen = seeds if seeds is not None else tuple(range(variants or DEFAULT_VARIANTS))
    spec = PreviewSpec(question_id, chosen, banks, out, pdf_output)
    result = _preview(spec)
    if watching:
        _watch_preview(spec, result.question.folder)


def _preview(spec: PreviewSpec) -> PreviewResult:
    """One preview run, with its progress on stderr and what it wrote on stdout."""
    from generator.preview.pipeline import preview as make_preview

    with Progress(len(spec.seeds), "Drawing variants") as progress:
        result = make_preview(spec, progress=progress.advance, report=_note)
    draws = sum(d.draws for d in result.drawn)
    rejected = sum(d.rejected for d in result.drawn)
    redrawn = f"{rejected} of {draws} draws rejected" if draws else "no redraws"
    click.echo(
        f"{result.question.title}: {len(result.drawn)} variants, seeds "
        f"{describe_seeds(spec.seeds)}, {redrawn}."
    )
    click.echo(f"Wrote {result.folder}/ ({', '.join(result.files)})")
    return result


def _watch_preview(spec: PreviewSpec, folder: Path) -> None:
    """Rebuild the preview at each change of the question's folder, until Ctrl-C. A
    broken edit prints its Error: line and the watch goes on, for the next save."""
    sys.dont_write_bytecode = True  # a cached solve.py must never hide an edit
    debug = bool((click.get_current_context().obj or {}).get("debug"))

    def rebuild() -> None:
        click.echo(f"{folder}/ changed: rebuilding.", err=True)
        try:
            _preview(spec)
        except (ExamError, OSError) as exc:
            _traceback(exc, debug)
            message = os_error(exc) if isinstance(exc, OSError) else str(exc)
            click.echo(f"Error: {message}", err=True)

    def wait() -> bool:
        time.sleep(POLL_SECONDS)
        return True

    def started() -> None:
        click.echo(f"Watching {folder}/ for changes; press Ctrl-C to stop.", err=True)

    try:
        watch(folder, rebuild, wait=wait, ignore=[spec.out], started=started)
    except KeyboardInterrupt:
        click.echo("Stopped watching.", err=True)


def _traceback(exc: BaseException, debug: bool) -> None:
    """Under --debug, the whole traceback (an author's own error is its cause)."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)


class _Broken(ExamError):
    """The check found broken variants (already listed)."""


DEBUG_FLAG = "--debug"


def main(argv: list[str] | None = None) -> Any:
    """Entry point: every user mistake ends as one ``Error: ...`` line and a non-zero exit.

    ``--debug``, anywhere on the line and with any command, also prints the traceback of
    the error: an author debugging a question's ``sample()`` wants the whole story.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    debug = DEBUG_FLAG in argv
    argv = [arg for arg in argv if arg != DEBUG_FLAG]
    try:
        return cli.main(args=argv, prog_name="generate-exam", standalone_mode=False,
                        obj={"debug": debug})  # fmt: skip
    except click.UsageError as exc:
        click.echo(f"Error: {exc.format_message()} (see generate-exam --help)", err=True)
        sys.exit(2)
    except ExamError as exc:
        _traceback(exc, debug)
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # a full disk, a vanished folder: the machine, not the generator
        _traceback(exc, debug)
        click.echo(f"Error: {os_error(exc)}", err=True)
        sys.exit(1)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
