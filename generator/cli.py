"""The generate-exam command: parses flags, calls the library, maps errors to exit codes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .blueprint import DEFAULT_BLUEPRINT
from .build import generate
from .errors import ExamError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--seed",
    type=int,
    default=None,
    callback=lambda ctx, param, value: _non_negative(value),
    help="Exam seed, a whole number >= 0: the same seed always gives the same exam. "
    "Required unless --replica.",
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
    help="Compile exam.pdf and solutions.pdf with pdflatex.",
)
@click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra question-bank folder (repeatable), searched after the shipped bank.",
)
@click.option(
    "--replica", is_flag=True, help="Pin every question to the original exam's own values."
)
@click.version_option(__version__, prog_name="generate-exam")
def cli(
    seed: int | None,
    blueprint: str | None,
    out: Path,
    pdf_output: bool,
    banks: tuple[Path, ...],
    replica: bool,
) -> None:
    """Generate an exam variant, its solutions and its answer key."""
    if seed is None and not replica:
        raise click.UsageError("Missing option '--seed' (a whole number >= 0, e.g. --seed 42).")
    result = generate(
        seed=seed or 0,
        blueprint=blueprint,
        out=out,
        pdf_output=pdf_output,
        banks=banks,
        replica=replica,
        report=lambda message: click.echo(message, err=True),
    )
    exam = result.exam
    click.echo(
        f"{exam.blueprint.title}: {len(exam.questions)} questions, "
        f"{exam.points:g} points + {exam.bonus_points:g} extra credit, "
        + ("replica of the original exam." if replica else f"seed {seed}.")
    )
    click.echo(f"Wrote {result.folder}/")
    for path in result.files:
        click.echo(f"  {path.name:<16} {path.stat().st_size:>9,} bytes")


def _non_negative(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise click.BadParameter(f"{value} is negative; use a whole number >= 0.")
    return value


def main(argv: list[str] | None = None) -> None:
    """Entry point: every user mistake ends as one ``Error: ...`` line and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="generate-exam", standalone_mode=False)
    except click.UsageError as exc:
        click.echo(f"Error: {exc.format_message()} (see generate-exam --help)", err=True)
        sys.exit(2)
    except ExamError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
