"""``generate-exam preview ID``: N variants of one question side by side, no blueprint."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.cli.options import bank_option, checked
from generator.cli.output import Progress, debugging, error, note, show_traceback
from generator.errors import ExamError, os_error
from generator.preview.spec import (
    DEFAULT_VARIANTS,
    MAX_VARIANTS,
    PreviewSpec,
    describe_seeds,
    parse_seeds,
)
from generator.preview.watch import POLL_SECONDS, watch

if TYPE_CHECKING:
    from generator.preview.pipeline import PreviewResult


@click.command("preview")
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
    callback=checked(parse_seeds),
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
def preview(
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
        result = make_preview(spec, progress=progress.advance, report=note)
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
    debug = debugging()

    def rebuild() -> None:
        click.echo(f"{folder}/ changed: rebuilding.", err=True)
        try:
            _preview(spec)
        except (ExamError, OSError) as exc:
            show_traceback(exc, debug)
            message = os_error(exc) if isinstance(exc, OSError) else str(exc)
            error(message)

    def wait() -> bool:
        time.sleep(POLL_SECONDS)
        return True

    def started() -> None:
        click.echo(f"Watching {folder}/ for changes; press Ctrl-C to stop.", err=True)

    try:
        watch(folder, rebuild, wait=wait, ignore=[spec.out], started=started)
    except KeyboardInterrupt:
        click.echo("Stopped watching.", err=True)
