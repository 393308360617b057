"""``generate-exam new ID``: a working question folder to edit from."""

from __future__ import annotations

from pathlib import Path

import click

from generator.bank import scaffold


@click.command("new")
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
def new(question_id: str, kind: str, topic: str, into: Path) -> None:
    """Write a working question folder ID (question.toml, solve.py, question.tex.j2)."""
    folder = scaffold.new_question(question_id, into, kind=kind, topic=topic)
    bank = into / question_id.split("/")[0] if "/" in question_id else into
    click.echo(f"Wrote {folder}/ ({', '.join(sorted(p.name for p in folder.iterdir()))})")
    click.echo(f"Next: generate-exam preview {question_id} --bank {bank}   (its variants side "
               "by side, in output/)")  # fmt: skip
    click.echo(f"Then: generate-exam check --bank {bank} --question {question_id}")
