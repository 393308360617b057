"""How alike the copies of one exam are: the points every copy answers alike, and what
a student earns by copying a neighbour (``generate-exam check --report``).

An exam-variant generator exists so that neighbours cannot copy.  Two figures say how
far it succeeds, over the copies of a class built from one blueprint:

- **constant points**: the share of the points whose part has one answer in every copy
  (the key's answer is the same: a question asked the same way, or asked another way
  with the same answer);
- **copy gain**: the share of the points a student earns who hands in a classmate's
  answers, graded against the student's own copy by the grader itself (a part a person
  grades earns its points when the model answers are the same, since the person then
  reads the right answer).

Both are averaged over the copies; the copy gain pairs each copy with the next one,
which estimates the mean over all pairs without grading every pair.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from generator.bank.blueprints import Blueprint
from generator.bank.questions import Bank
from generator.key import schema
from generator.key.records import Key, PartInfo, VariantInfo
from generator.key.write import build_key
from generator.kinds import KINDS
from generator.variants.assemble import Exam, build_variant
from generator.variants.roster import Assignment
from generator.variants.seeding import PUBLIC, Seeding


@dataclass(frozen=True)
class PartSpread:
    """One part of the blueprint over the copies that print it."""

    question: str  # the question's id
    label: str  # as printed in the first copy that has it, e.g. 3(a)
    points: float
    copies: int  # how many copies print it
    distinct: int  # how many different answers they have
    gain: float  # mean share of its points a copied neighbour's answer earns

    @property
    def constant(self) -> bool:
        return self.distinct == 1 and self.copies > 1


@dataclass(frozen=True)
class CopyStats:
    copies: int
    points: float  # per copy, extra credit aside
    constant_points: float  # mean over copies
    copy_gain: float  # mean share of the points, 0 to 1
    parts: tuple[PartSpread, ...]

    @property
    def constant_share(self) -> float:
        return self.constant_points / self.points if self.points else 0.0


PartKey = tuple[str, str]  # (question id, part key)


def copy_stats(key: Key) -> CopyStats:
    """The two figures over the copies of ``key`` (at least two)."""
    copies = [_parts(v) for v in key.variants]
    if len(copies) < 2:
        raise ValueError("the copy figures need two copies or more")
    answers: dict[PartKey, set[str]] = defaultdict(set)
    for copy in copies:
        for where, part in copy.items():
            answers[where].add(_answer(part))
    gains: dict[PartKey, list[float]] = defaultdict(list)
    earned = 0.0
    for i, own in enumerate(copies):
        neighbour = copies[(i + 1) % len(copies)]
        for where, part in own.items():
            share = _copied(part, neighbour.get(where))
            gains[where].append(share)
            earned += share * float(part.points)
    total = sum(float(p.points) for p in copies[0].values())
    constant = sum(
        float(part.points) for copy in copies for where, part in copy.items()
        if len(answers[where]) == 1
    ) / len(copies)  # fmt: skip
    return CopyStats(
        copies=len(copies),
        points=total,
        constant_points=constant,
        copy_gain=earned / (total * len(copies)) if total else 0.0,
        parts=_spreads(copies, answers, gains),
    )


def _parts(variant: VariantInfo) -> dict[PartKey, PartInfo]:
    """A copy's graded parts, extra credit aside, by question id and part key."""
    return {(q.id, p.part): p for q in variant.questions for p in q.parts if not p.bonus}


def _answer(part: PartInfo) -> str:
    """The key's answer as canonical text: equal texts, equal answers."""
    return msgspec.json.encode(msgspec.to_builtins(part.answer), order="sorted").decode()


def _copied(own: PartInfo, theirs: PartInfo | None) -> float:
    """The share of ``own``'s points that the neighbour's key answer earns on it."""
    if theirs is None:
        return 0.0
    if _answer(own) == _answer(theirs):
        return 1.0
    kind = KINDS[own.kind]
    share = kind.score(own, kind.cell(theirs))
    return 0.0 if share is None else share  # a person reads another answer: wrong


def _spreads(
    copies: list[dict[PartKey, PartInfo]],
    answers: dict[PartKey, set[str]],
    gains: dict[PartKey, list[float]],
) -> tuple[PartSpread, ...]:
    first: dict[PartKey, PartInfo] = {}
    printed: dict[PartKey, int] = defaultdict(int)
    for copy in copies:
        for where, part in copy.items():
            first.setdefault(where, part)
            printed[where] += 1
    return tuple(
        PartSpread(
            question=where[0],
            label=part.label,
            points=float(part.points),
            copies=printed[where],
            distinct=len(answers[where]),
            gain=sum(gains[where]) / len(gains[where]),
        )
        for where, part in first.items()
    )


def class_key(
    blueprint: Blueprint,
    bank: Bank,
    copies: int,
    seed: int,
    progress: Callable[[int], None] = lambda done: None,
) -> Key:
    """The key of ``copies`` numbered copies of ``blueprint`` under the public secret, as
    ``generate-exam --public --seed SEED --variants COPIES`` writes it (no figures)."""
    seeding = Seeding(seed, PUBLIC)
    variants = []
    for n in range(copies):
        assignment = Assignment(seeding.copy_code(n), n)
        variants.append(build_variant(blueprint, bank, seeding, assignment))
        progress(1)
    exam = Exam(blueprint, seeding, replica=False, variants=tuple(variants))
    return schema.check(build_key(exam, figures=False))
