"""What the commands print besides their results: progress, notes, the files exported."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from generator.errors import printable
from generator.run_folder import SCORING_NOTES


def note(message: str) -> None:
    """A message of the library's for the user (a secret made, PDFs compiling): stderr."""
    click.echo(printable(message), err=True)


def error(message: str) -> None:
    """The one line that ends a refused command (or a preview watch's rebuild): stderr,
    the values it echoes shown, never acted on by the terminal (errors.printable)."""
    click.echo(f"Error: {printable(message)}", err=True)


def warning(message: str) -> None:
    """A ``Warning:`` line: stderr, echoed values shown as :func:`error` shows them."""
    click.echo(f"Warning: {printable(message)}", err=True)


def show_traceback(exc: BaseException, debug: bool) -> None:
    """Under --debug, the whole traceback (an author's own error is its cause)."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)


def debugging() -> bool:
    """Whether the command line asked for --debug (generator.cli.main keeps it)."""
    context = click.get_current_context(silent=True)
    return bool(context and (context.find_root().obj or {}).get("debug"))


def list_exports(lms: Path, written: Sequence[Path]) -> None:
    """The files an export wrote into the run's ``lms/`` folder with their sizes (a folder's
    files counted, a course folder holds hundreds), and the summary of its scoring notes
    (where an LMS scores a part otherwise than its rubric)."""
    click.echo(f"Exported to {lms}/:")
    folders: dict[str, list[int]] = {}
    for path in written:
        top, *inside = path.relative_to(lms).parts
        if inside:
            folders.setdefault(top, []).append(path.stat().st_size)
        else:
            click.echo(f"  {top}  {path.stat().st_size:,} bytes")
    for top, sizes in folders.items():
        click.echo(f"  {top}/  {len(sizes):,} files, {sum(sizes):,} bytes")
    for path in written:
        if path.name == SCORING_NOTES:
            summary, *warnings = path.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
            click.echo(f"{summary.removesuffix('.')}: see lms/{path.relative_to(lms)}.")
            for line in warnings:  # how a quiz draws the questions, where not as the paper
                click.echo(line)


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
