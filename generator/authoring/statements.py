"""True/false statement pools for select-all parts ("circle all that apply").

A pool is written once from the course material, each statement with its
verdict and explanation; every variant prints a few of them in a random order.

A statement may be given away by another part of its question: part (b) prints the
FGSM formula, which shows that the method takes one step; part (e) asks for the
parameters "including batch normalization parameters".  Such a statement names those
parts in ``revealed_by`` (the part's text or its answer decides the statement, or the
statement gives the part's answer away) and is never drawn with them.  Two statements
of which one decides the other name each other in ``excludes`` and are never printed
together.  :func:`problems` checks these declarations; the bank runs it on every pool of
a ``solve.py`` when it loads the question.

Statements differ in difficulty: "Batch normalization guarantees convergence to the global
minimum" gives itself away, "it allows initializing the weights close to zero" is half true.
A pool whose statements carry a ``tier`` (1: a fact read off the course, 2: subtle, half
true, or needing a reason) is drawn with the same tiers in every copy
(``draw(..., tiers=(1, 1, 2, 2))``), and :func:`steps` names that profile as the part's
steps, so ``generate-exam check`` fails a pool drawn with another mix.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from generator.authoring import sampling
from generator.kinds.answers import Choices, Option


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    true: bool
    why: str
    # Keys of the parts of the same question ("b", "c.ii") that give the statement away.
    revealed_by: tuple[str, ...] = ()
    # Ids of the statements of the same pool never printed with this one (both ways).
    excludes: tuple[str, ...] = ()
    # How hard it is to decide: 1 read off the course, 2 subtle; 0 when the pool has none.
    tier: int = 0


def problems(pool: Sequence[Statement], parts: Collection[str]) -> list[str]:
    """What is wrong with the declarations of ``pool``, for a question with part keys
    ``parts``: unknown parts or ids, one-way or self exclusions, duplicate ids."""
    ids = [s.id for s in pool]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    found = [f"two statements have the id '{i}'" for i in twice]
    by_id = {s.id: s for s in pool}
    for s in pool:
        for field in ("revealed_by", "excludes"):
            if not isinstance(getattr(s, field), tuple):
                found.append(f"statement '{s.id}': {field} must be a tuple, like {field}=('b',)")
        if not isinstance(s.revealed_by, tuple) or not isinstance(s.excludes, tuple):
            continue
        for key in s.revealed_by:
            if key not in parts:
                found.append(
                    f"statement '{s.id}': revealed_by names part '{key}', which the question "
                    f"has not (its parts: {', '.join(sorted(parts))})"
                )
        for other in s.excludes:
            if other == s.id:
                found.append(f"statement '{s.id}' excludes itself")
            elif other not in by_id:
                found.append(f"statement '{s.id}': excludes '{other}', which the pool has not")
            elif s.id not in by_id[other].excludes:
                found.append(
                    f"statement '{s.id}' excludes '{other}' but not the other way round; "
                    f"add '{s.id}' to the excludes of '{other}'"
                )
    tiers = {s.tier for s in pool}
    if 0 in tiers and len(tiers) > 1:
        untiered = ", ".join(s.id for s in pool if not s.tier)
        found.append(f"statements {untiered} have no tier while others have one; give each a tier")
    return found


def revealed(statement: Statement, printed: Collection[str]) -> bool:
    """Whether a part in ``printed`` (or the part holding it: "b" for "b.ii") gives the
    statement away."""
    return any(
        any(".".join(key.split(".")[:n]) in printed for n in range(1, key.count(".") + 2))
        for key in statement.revealed_by
    )


def compatible(statements: Sequence[Statement]) -> bool:
    """No two of ``statements`` exclude each other."""
    ids = {s.id for s in statements}
    return not any(ids & set(s.excludes) for s in statements)


def draw(
    pool: Sequence[Statement],
    count: int,
    rng: np.random.Generator,
    *,
    printed: Collection[str],
    tiers: Sequence[int] = (),
) -> list[str]:
    """Ids of ``count`` statements in print order, at least one true and one false, none
    revealed by a part in ``printed`` (the parts printed with them) and no two that
    exclude each other; with ``tiers`` (one per statement drawn), exactly that many of
    each tier, so that every copy is as hard."""
    candidates = [s for s in pool if not revealed(s, printed)]
    if len(candidates) < count or len({s.true for s in candidates}) < 2:
        raise ValueError(
            f"{len(candidates)} statements are not revealed by parts {sorted(printed)}; "
            f"{count} are needed, true and false ones; write more"
        )
    if tiers and len(tiers) != count:
        raise ValueError(f"tiers names {len(tiers)} statements; {count} are drawn")
    wanted = sorted(tiers)
    picked = sampling.until(
        lambda: (
            [candidates[i] for i in rng.permutation(len(candidates))[:count]]
            if not tiers
            else _by_tier(candidates, wanted, rng)
        ),
        lambda ss: len({s.true for s in ss}) == 2 and compatible(ss),
    )
    return [s.id for s in picked]


def _by_tier(
    candidates: Sequence[Statement], tiers: Sequence[int], rng: np.random.Generator
) -> list[Statement]:
    """``tiers`` statements, so many of each tier as it names, in a random print order."""
    picked: list[Statement] = []
    for tier in sorted(set(tiers)):
        of_tier = [s for s in candidates if s.tier == tier]
        need = tiers.count(tier)
        if len(of_tier) < need:
            raise ValueError(
                f"{len(of_tier)} statements of tier {tier} can be drawn; {need} are needed"
            )
        picked += [of_tier[i] for i in rng.permutation(len(of_tier))[:need]]
    return [picked[i] for i in rng.permutation(len(picked))]


def steps(pool: Sequence[Statement], ids: Sequence[str]) -> tuple[str, ...]:
    """The drawn statements' tiers as a part's steps ("tier 1", "tier 2", ...): two
    copies drawn with another mix of tiers differ, and ``check`` says so."""
    by_id = {s.id: s for s in pool}
    return tuple(sorted(f"tier {by_id[i].tier}" for i in ids))


def as_choices(pool: Sequence[Statement], ids: Sequence[str]) -> Choices:
    """The drawn statements as options; a false statement's mistake is its id."""
    by_id = {s.id: s for s in pool}
    return Choices(tuple(
        Option(by_id[i].text, by_id[i].true, by_id[i].why, "" if by_id[i].true else i)
        for i in ids
    ))  # fmt: skip
