"""``generate-exam grade RUN --responses FILE``: each student against their own copy."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import click

from generator.cli.output import warning as warn
from generator.errors import printable
from generator.run_folder import RunFolder


@click.command("grade")
@click.argument("run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--responses", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV of responses: long (student, label, response), wide (a column "
              "per part label), Canvas's Student Analysis or Moodle's Responses "
              "report; or Gradescope's Download Grades (its points per question are "
              "the grades).")  # fmt: skip
@click.option(
    "--canvas-assignment",
    metavar="ID",
    default=None,
    help="Canvas's id of the quiz's assignment, for the gradebook import's column.",
)
@click.option("--own-copy", is_flag=True,
              help="Each student took a quiz of their own copy's questions (one quiz per "
              "copy): grade a report without question text against each one's copy.")  # fmt: skip
@click.option("--force", is_flag=True, help="Replace RUN/grades/ even if it holds other files.")
def grade(run: Path, responses: Path, canvas_assignment: str | None, own_copy: bool,
          force: bool) -> None:  # fmt: skip
    """Grade each student's responses against their own copy in RUN/key.json."""
    from generator.grading.pipeline import grade_run
    from generator.grading.records import MARKS_ONLY, GradingWarning
    from generator.grading.sheets import decided

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GradingWarning)
        graded = grade_run(run, responses, force=force, canvas_assignment=canvas_assignment,
                           own_copy=own_copy)  # fmt: skip
    pending = [p for g in graded for p in g.parts if p.score is None]
    reasons = Counter(p.reason for p in pending)
    groups = len({decided(p.label, p.expected, p.response) for p in pending})
    mean = sum(g.total for g in graded) / len(graded) if graded else 0
    if graded and all(p.kind == MARKS_ONLY for g in graded for p in g.parts):  # Gradescope's
        waiting = f"; {len(pending)} score(s) not given yet:" if pending else "."
        click.echo(f"Graded {len(graded)} students: mean {mean:.2f} points{waiting}")
    else:
        click.echo(f"Graded {len(graded)} students: mean {mean:.2f} points; "
                   f"{len(pending)} response(s) to grade by hand in {groups} group(s) of "
                   "equal responses, in grades/sheets/.")  # fmt: skip
    for reason, count in reasons.most_common():
        click.echo(f"  {count}: {printable(reason)}")  # a reason may quote a response
    for warning in caught:
        if issubclass(warning.category, GradingWarning):
            warn(str(warning.message))
        else:  # not grade's own: as Python would have shown it
            warnings.warn(warning.message, warning.category, stacklevel=1)
    mixed = [g for g in graded if g.mixed]
    if mixed:
        warn(
            f"{len(mixed)} student(s) were shown parts of one question from different "
            f"copies (e.g. {mixed[0].who}: {', '.join(mixed[0].mixed[:3])}); each part is "
            "graded as shown, but such a question may not read as one: give each "
            "question's parts one category in the LMS, or one quiz per copy."
        )
    click.echo(f"Wrote {RunFolder(run).grades.root}/ (grades.csv, feedback.csv, "
               "canvas-gradebook.csv, moodle-grades.csv, feedback/)")  # fmt: skip
