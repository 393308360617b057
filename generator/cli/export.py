"""``generate-exam export RUN --lms LIST``: LMS files for a run that is already built."""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli.options import bank_option, checked
from generator.cli.output import list_exports
from generator.lms import HELP, export_run, parse_formats
from generator.run_folder import RunFolder


@click.command("export")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--lms", "lms_formats", required=True, metavar="LIST",
              callback=checked(parse_formats),
              help=f"Comma-separated formats: {HELP}.")  # fmt: skip
@bank_option
def export(folder: Path, lms_formats: list[str], banks: tuple[Path, ...]) -> None:
    """Export a folder written by generate-exam (one exam or a class) to LMS formats.

    A PrairieLearn course carries its questions' code: pass the --bank folders the run
    was built with.
    """
    list_exports(RunFolder(folder).lms, export_run(folder, lms_formats, banks))
