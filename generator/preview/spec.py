"""What a preview is asked for (one question, its seeds ``3,7,9-12``, the folder to write),
and what it drew of each seed.

A module of its own, apart from the preview (:mod:`generator.preview`, which loads the
bank, numpy and sympy): the CLI reads these limits while it declares its options and
parses ``--seeds`` while it reads the command line, and ``--help`` should load neither.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ExamError
from generator.variants.seeding import MAX_SEED

if TYPE_CHECKING:  # the drawing loads numpy and the bank; the CLI reads this module without
    from generator.variants.assemble import Variant

DEFAULT_VARIANTS = 12
MAX_VARIANTS = 500  # a page of 500 cards is already more than anyone reads
FOLDER_PREFIX = "preview-"


class PreviewError(ExamError):
    """A preview cannot be made as asked (which question, which seeds)."""


@dataclass(frozen=True)
class PreviewSpec:
    """What to preview: one question id, the seeds to draw, where to write."""

    question: str
    seeds: tuple[int, ...] = tuple(range(DEFAULT_VARIANTS))
    banks: tuple[Path, ...] = ()
    out: Path = Path("output")
    pdf: bool = True

    @property
    def folder(self) -> Path:
        return self.out / folder_name(self.question)


def folder_name(question_id: str) -> str:
    """``preview-my-course-softmax`` for ``my-course/softmax``: one folder name, no slash."""
    return FOLDER_PREFIX + question_id.replace("/", "-")


def parse_seeds(text: str) -> tuple[int, ...]:
    """``3,7,9-12`` as the seeds 3, 7, 9, 10, 11, 12, in the order given, each once."""
    seeds: list[int] = []
    for item in (piece.strip() for piece in text.split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", item)
        if match is None:
            raise PreviewError(
                f"'{item}' is not a seed or a range of seeds; write whole numbers and ranges "
                "like 3,7,9-12."
            )
        first, last = int(match[1]), int(match[2] or match[1])
        if last < first:
            raise PreviewError(f"the range {item} runs backwards; write it {last}-{first}.")
        if last > MAX_SEED:
            raise PreviewError(f"seed {last} is too large; seeds run from 0 to {MAX_SEED}.")
        if len(seeds) + last - first >= MAX_VARIANTS:
            raise PreviewError(f"more than {MAX_VARIANTS} seeds; preview fewer at once.")
        seeds += [seed for seed in range(first, last + 1) if seed not in seeds]
    return tuple(seeds)


def describe_seeds(seeds: Sequence[int]) -> str:
    """``0-11`` or ``3, 7, 9-12``: runs of consecutive seeds written as ranges."""
    runs: list[list[int]] = []
    for seed in seeds:
        if runs and seed == runs[-1][-1] + 1:
            runs[-1].append(seed)
        else:
            runs.append([seed])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


@dataclass(frozen=True)
class Drawn:
    """One variant of the question: its seed, the copy it is (v0 of that seed), and the
    attempts of every ``sampling.until`` call made while drawing it."""

    seed: int
    variant: Variant
    attempts: tuple[int, ...]

    @property
    def draws(self) -> int:
        return sum(self.attempts)

    @property
    def rejected(self) -> int:
        """Draws thrown away: every attempt but the accepted one of each until() call."""
        return self.draws - len(self.attempts)

    @property
    def rejection_rate(self) -> float:
        """Redraws over draws, as ``check --report`` counts them (0 without until())."""
        return self.rejected / self.draws if self.draws else 0.0
