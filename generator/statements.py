"""True/false statement pools for select-all parts ("circle all that apply").

A pool is written once from the course material, each statement with its
verdict and explanation; every variant prints a few of them in a random order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import sampling
from .answers import Choices, Option


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    true: bool
    why: str


def draw(pool: Sequence[Statement], count: int, rng: np.random.Generator) -> list[str]:
    """Ids of ``count`` statements in print order, at least one true and one false."""
    picked = sampling.until(
        lambda: [pool[i] for i in rng.permutation(len(pool))[:count]],
        lambda ss: any(s.true for s in ss) and not all(s.true for s in ss),
    )
    return [s.id for s in picked]


def as_choices(pool: Sequence[Statement], ids: Sequence[str]) -> Choices:
    """The drawn statements as options; a false statement's mistake is its id."""
    by_id = {s.id: s for s in pool}
    return Choices(tuple(
        Option(by_id[i].text, by_id[i].true, by_id[i].why, "" if by_id[i].true else i)
        for i in ids
    ))  # fmt: skip
