"""Options more than one command takes, and how an option's value is parsed by the library."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator.errors import ExamError

MAX_WORKERS = max(64, os.cpu_count() or 1)

bank_option = click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Extra question-bank folder (repeatable), searched after the shipped bank.",
)

workers_option = click.option(
    "--workers",
    type=click.IntRange(1, MAX_WORKERS),
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Processes to use (class builds and checks).",
)


def checked(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback: the value parsed by the library, its mistake a usage error
    (exit 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ExamError as exc:
            raise click.BadParameter(str(exc)) from None

    return callback


def non_negative(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is not None and value < 0:
        raise click.BadParameter(f"{value} is negative; use a whole number >= 0.")
    return value
