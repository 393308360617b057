"""``generate-exam check``: draw many variants of every question and fail on a broken one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.bank.blueprints import DEFAULT_BLUEPRINT
from generator.cli.options import bank_option, non_negative, workers_option
from generator.cli.output import Progress
from generator.errors import ExamError, write_file

if TYPE_CHECKING:
    from generator.check.report import ExamCopies

MAX_CHECK_VARIANTS = 100_000  # about 1.4 GB of draws for the seven questions
MAX_CLASS = 2000  # copies built for the report's copy figures: about a minute


class Broken(ExamError):
    """The check found broken variants (already listed)."""


@click.command()
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
    callback=non_negative,
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
    type=click.IntRange(2, MAX_CLASS),
    default=50,
    show_default=True,
    help="Class size of the report's figures: the two most similar variants, and the "
    "copies of --blueprint compared.",
)
@click.option(
    "--blueprint",
    default=None,
    metavar="NAME|PATH",
    help="With --report: build a class of this blueprint and report how alike its copies "
    f"are (points with one answer, copy gain) [default: {DEFAULT_BLUEPRINT}, unless "
    "--question or --bank is given].",
)
@workers_option
def check(
    variants: int,
    first_seed: int,
    questions: tuple[str, ...],
    banks: tuple[Path, ...],
    report: Path | None,
    class_size: int,
    blueprint: str | None,
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
        copies = _copies(blueprint, banks, questions, class_size, first_seed)
        text = render_report(
            results, variants=variants, class_size=class_size, path=report, copies=copies
        )
        write_file(report, text, "--report")
        click.echo(f"Wrote {report}")
    if broken:
        failing = sum(1 for r in results.values() if r.findings)
        raise Broken(
            f"{broken} broken variants in {failing} of {len(ids)} questions; "
            "each line above names the seed that reproduces it."
        )


def _copies(
    blueprint: str | None,
    banks: tuple[Path, ...],
    questions: tuple[str, ...],
    class_size: int,
    seed: int,
) -> ExamCopies | None:
    """The copy figures of ``blueprint``'s class: by default the shipped exam's, when the
    whole shipped bank is checked (a check of one's own questions has no exam to build)."""
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.check.copies import class_key, copy_stats
    from generator.check.report import ExamCopies

    if blueprint is None and (questions or banks):
        return None
    bank = load_bank(banks)
    loaded = load_blueprint(blueprint, bank)
    with Progress(class_size, f"Building {class_size} copies of {loaded.name}") as progress:
        key = class_key(loaded, bank, class_size, seed, progress.advance)
    return ExamCopies(loaded.name, seed, copy_stats(key))
