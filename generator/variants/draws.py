"""Which questions a copy prints, and in which order, when its blueprint draws from pools.

A pool keeps, for each copy, the ``pick`` questions of highest weight (rendezvous
hashing): a question's weight is keyed by the copy and the question's id alone, not by
the table's place or the bank's size.  So adding a question to the bank, or a table to
the blueprint, changes a copy's draw only where the new question outweighs one it had
drawn; every other copy keeps its questions.  The kept questions print in the order the
table lists them (by id for topic and tag tables), unless the blueprint shuffles: then
each copy sorts all its questions by a second weight of its own.
"""

from __future__ import annotations

from generator.bank.blueprints import Blueprint, Pool
from generator.variants.seeding import Seeding

DRAW = "pool"
ORDER = "order"


def draw_questions(blueprint: Blueprint, seeding: Seeding, variant: str) -> tuple[str, ...]:
    """The ids the copy coded ``variant`` prints, in the order it prints them."""
    drawn = [qid for pool in blueprint.pools for qid in draw(pool, seeding, variant)]
    if blueprint.shuffle:
        drawn.sort(key=lambda qid: seeding.weight(variant, ORDER, qid))
    return tuple(drawn)


def draw(pool: Pool, seeding: Seeding, variant: str) -> tuple[str, ...]:
    """The ``pick`` questions of highest weight in this copy, in the table's order."""
    if pool.fixed:
        return pool.candidates
    ranked = sorted(pool.candidates, key=lambda qid: seeding.weight(variant, DRAW, qid))
    kept = set(ranked[-pool.pick :])
    return tuple(qid for qid in pool.candidates if qid in kept)
