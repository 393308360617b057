"""``generate-exam docs [PAGE]``: where the documentation's pages are on this machine.

The Markdown pages of the documentation site ship with the package, so an installed
command can point its user (and the comments ``new`` writes) to them without a network.
"""

from __future__ import annotations

import click

from generator.errors import ExamError
from generator.resources import docs_dir


class NoSuchPage(ExamError):
    """A page the documentation does not have."""


@click.command("docs")
@click.argument("page", required=False, metavar="[PAGE]")
def docs(page: str | None) -> None:
    """Print the path of a documentation page (authoring, grading, ...), or list them."""
    folder = docs_dir()
    pages = sorted(path.stem for path in folder.glob("*.md"))
    if page is None:
        click.echo(f"The documentation: {folder / 'index.md'}")
        click.echo(f"Its pages (generate-exam docs PAGE prints one's path): {', '.join(pages)}")
        return
    name = page.removesuffix(".md")
    if name not in pages:
        raise NoSuchPage(f"no page '{page}' in the documentation; the pages: {', '.join(pages)}.")
    click.echo(folder / f"{name}.md")
