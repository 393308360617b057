"""``generate-exam diff-keys OLD NEW``: what a fix to the bank changed, and whose scores moved."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("diff-keys")
@click.argument("old_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("new_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--csv", "as_csv", is_flag=True, help="Print the changes as CSV (to redirect).")
@click.option("--responses", type=click.Path(dir_okay=False, path_type=Path),
              help="Grade these responses with both keys; list the scores that moved.")  # fmt: skip
def diff_keys(old_run: Path, new_run: Path, as_csv: bool, responses: Path | None) -> None:
    """List every copy and part whose key changed between two runs of the same exam
    (after a fix to the bank, the same seed and secret built again)."""
    from generator.key import diff

    if responses is not None:
        _regrade(old_run, new_run, responses, as_csv)
        return
    changes = diff.diff_runs(old_run, new_run)
    if as_csv:
        click.echo(diff.changes_csv(changes), nl=False)
        return
    for c in changes:
        who = f" ({c.student_id})" if c.student_id else ""
        click.echo(f"{c.variant}{who} {c.label} {c.field}: {diff.shown(c.old) or '-'} -> "
                   f"{diff.shown(c.new) or '-'}")  # fmt: skip
    click.echo(diff.summary(changes))


def _regrade(old_run: Path, new_run: Path, responses: Path, as_csv: bool) -> None:
    from generator.grading import regrade
    from generator.key.diff import shown

    moved = regrade.regrade(old_run, new_run, responses)
    if as_csv:
        click.echo(regrade.regraded_csv(moved), nl=False)
        return
    for m in moved:
        who = f" ({m.student_id})" if m.student_id else ""
        click.echo(f"{m.variant}{who} {m.label}: {shown(m.old) or '-'} -> "
                   f"{shown(m.new) or '-'} points; total {m.old_total:g} -> "
                   f"{m.new_total:g}")  # fmt: skip
    students = len({m.variant for m in moved})
    click.echo(f"{len(moved)} score(s) of {students} student(s) changed." if moved
               else "No score changed: every response earns what it earned.")  # fmt: skip
