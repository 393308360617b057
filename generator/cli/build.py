"""``generate-exam [build]``: an exam, a class of copies or one copy rebuilt, with its key."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

# Light modules only (no numpy, sympy, matplotlib, lxml): what the options declare and
# parse.  The build itself is imported inside the command, so that --help loads none of it.
from generator.bank.blueprints import DEFAULT_BLUEPRINT, resolve_blueprint_path
from generator.cli.options import bank_option, checked, workers_option
from generator.cli.output import Progress, list_exports, note
from generator.lms import HELP, parse_formats
from generator.render.partials import allowed_names, check_templates_dir
from generator.resources import blueprints_dir
from generator.run_folder import RunFolder
from generator.variants.roster import MAX_COPIES, check_copy_name, read_roster
from generator.variants.secret import SECRET_FILE, SecretFile, default_secret_path, is_inside
from generator.variants.seeding import MAX_SEED, PUBLIC, Secret

if TYPE_CHECKING:
    from generator.builds.pipeline import BuildResult, BuildSpec

PUBLIC_WARNING = (
    "Warning: public mode: anyone with this tool can rebuild these exams and their "
    "solutions from the seed; never use it for an exam students take."
)


@click.command()
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
    callback=checked(check_templates_dir),
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
    callback=checked(check_copy_name),
    help="Rebuild one copy: the code printed on its pages, or v<number> of --variants.",
)
@click.option(
    "--pool",
    type=click.IntRange(min=2),
    default=None,
    metavar="K",
    help="For a large class: K variants of each question, typeset once, and each student "
    "draws one of them per question (docs/classes.md says when to choose it).",
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
    callback=checked(parse_formats),
    help=f"Also export for learning-management systems: {HELP}.",
)
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The instructor's secret, made on first use [default: {SECRET_FILE} beside the "
    "blueprint; for a shipped blueprint, in the user's config folder, "
    "~/.config/exam-variant-generator/ on Linux].",
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
    from generator.builds.pipeline import BuildSpec, BuildSpecError, CopiesFailed, check_request
    from generator.builds.pipeline import build as build_exams

    if seed is None and not replica:
        raise click.UsageError("Missing option '--seed' (a whole number >= 0, e.g. --seed 42).")
    try:  # BuildSpec's rules, before the roster is read
        check_request(replica=replica, copies=variants, roster=roster is not None,
                      only=variant_id)  # fmt: skip
    except BuildSpecError as exc:
        raise click.UsageError(str(exc)) from None
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
            result = build_exams(spec, progress=progress.advance, report=note)
    except CopiesFailed as exc:
        _summary(spec, exc.result, time.perf_counter() - started)
        raise
    _summary(spec, result, time.perf_counter() - started)
    if result.exports:
        list_exports(RunFolder(result.folder).lms, result.exports)


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
    run = RunFolder(folder)
    listed = []
    students = sorted(run.students.iterdir()) if run.students.is_dir() else []
    if students:
        pdfs = ", ".join(sorted(p.name for p in students[0].iterdir()))
        listed.append(f"{run.students.name}/<copy>/{pdfs}")
    return "; ".join(listed + run.listing())
