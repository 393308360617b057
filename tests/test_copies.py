"""How alike the copies of a class are (check/copies.py): the points every copy answers
alike and what handing in a neighbour's answers earns, on keys built to known answers."""

from __future__ import annotations

import copy

import pytest

from generator.bank.blueprints import load_blueprint
from generator.check.copies import class_key, copy_stats
from generator.key import schema
from generator.key.records import json_ready


@pytest.fixture(scope="module")
def two_copies(bank):
    """Two copies of the default exam, as key.json holds them."""
    return json_ready(class_key(load_blueprint(None, bank), bank, 2, seed=42))


def twin(key: dict, edit=None) -> dict:
    """A key of two copies that are the same copy, the second edited by ``edit``."""
    twins = copy.deepcopy(key)
    second = copy.deepcopy(twins["variants"][0])
    second["variant"] = twins["variants"][1]["variant"]
    if edit:
        edit(second)
    twins["variants"] = [twins["variants"][0], second]
    return twins


def part(variant: dict, label: str) -> dict:
    return next(p for q in variant["questions"] for p in q["parts"] if p["label"] == label)


def test_two_identical_copies_share_every_point_and_copying_earns_it_all(two_copies):
    stats = copy_stats(schema.check(twin(two_copies)))
    assert stats.points == 60  # the exam's points, the 2 extra-credit points aside
    assert stats.constant_points == 60 and stats.copy_gain == 1


def test_a_part_answered_otherwise_in_one_copy_is_neither_constant_nor_copied(two_copies):
    """7(d) (2 points, a count graded exactly) differs by 1000 in the second copy: 58 of
    60 points are the same in both, and a neighbour's 7(d) earns nothing: 58/60 either way."""

    def other_count(variant: dict) -> None:
        part(variant, "7(d)")["answer"] += 1000

    stats = copy_stats(schema.check(twin(two_copies, other_count)))
    assert stats.constant_points == 58
    assert stats.copy_gain == pytest.approx(58 / 60)
    (spread,) = [p for p in stats.parts if p.label == "7(d)"]
    assert (spread.distinct, spread.gain, spread.constant) == (2, 0, False)


def test_a_number_inside_the_tolerance_is_copied_though_it_differs(two_copies):
    """2(c) is a number graded with its tolerance: a neighbour's answer half a tolerance
    away is another answer (not constant) that the grader still accepts (copied)."""
    tolerance = part(two_copies["variants"][0], "2(c)")["tolerance"]
    step = (tolerance["abs"] or abs(part(two_copies["variants"][0], "2(c)")["answer"])
            * tolerance["rel"]) / 2  # fmt: skip

    def nudged(variant: dict) -> None:
        part(variant, "2(c)")["answer"] += step

    stats = copy_stats(schema.check(twin(two_copies, nudged)))
    assert stats.constant_points == 59 and stats.copy_gain == 1
