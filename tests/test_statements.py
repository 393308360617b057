"""True/false statements: none given away by another part of its question, none printed
with a statement that decides it, and pools whose declarations hold together."""

from __future__ import annotations

import shutil
from itertools import combinations

import numpy as np
import pytest

from generator.authoring.statements import Statement, draw, problems, revealed
from generator.bank.questions import load_question
from generator.errors import BankError

from .conftest import Q4, Q6, SEEDS, replica, variant

POOLED = (Q4, Q6)  # the questions with a select-all part drawn from a pool


def pool_of(bank, qid: str) -> tuple[Statement, ...]:
    return bank[qid].solve.__globals__["POOL"]


def part_keys(bank, qid: str) -> set[str]:
    """Every part of the question, inner parts included: all of them are printed."""
    keys, todo = set(), list(bank[qid].parts)
    while todo:
        part = todo.pop()
        keys.add(part.key)
        todo += part.parts
    return keys


def drawn(bank, qid: str) -> list[list[Statement]]:
    """The statements of (a) in every seed's variant, in print order."""
    by_id = {s.id: s for s in pool_of(bank, qid)}
    return [[by_id[i] for i in variant(bank, qid, seed).params["statements"]] for seed in SEEDS]


@pytest.mark.parametrize("qid", POOLED)
def test_no_statement_is_given_away_by_another_part(bank, qid):
    parts = part_keys(bank, qid)
    for seed, statements in zip(SEEDS, drawn(bank, qid), strict=True):
        given_away = [(s.id, s.revealed_by) for s in statements if revealed(s, parts)]
        assert not given_away, (seed, given_away)


@pytest.mark.parametrize("qid", POOLED)
def test_no_two_statements_that_decide_each_other_are_printed_together(bank, qid):
    for seed, statements in zip(SEEDS, drawn(bank, qid), strict=True):
        pairs = [(a.id, b.id) for a, b in combinations(statements, 2) if b.id in a.excludes]
        assert not pairs, (seed, pairs)


@pytest.mark.parametrize("qid", POOLED)
def test_every_variant_prints_four_statements_true_and_false(bank, qid):
    for seed, statements in zip(SEEDS, drawn(bank, qid), strict=True):
        assert len({s.id for s in statements}) == 4, seed
        assert {s.true for s in statements} == {True, False}, seed


@pytest.mark.parametrize("qid", POOLED)
def test_the_draws_reach_every_statement_no_part_gives_away(bank, qid):
    """What is left of the pool is all used: no statement is dead weight."""
    parts = part_keys(bank, qid)
    left = {s.id for s in pool_of(bank, qid) if not revealed(s, parts)}
    assert {s.id for statements in drawn(bank, qid) for s in statements} == left


@pytest.mark.parametrize("qid", POOLED)
def test_the_shipped_pools_declare_known_parts_and_statements(bank, qid):
    pool = pool_of(bank, qid)
    assert problems(pool, part_keys(bank, qid)) == []
    by_id = {s.id: s for s in pool}
    for s in pool:
        assert all(s.id in by_id[other].excludes for other in s.excludes), s.id  # symmetric
        assert "a" not in s.revealed_by, s.id  # (a) holds the statements themselves


def test_the_findings_are_declared(bank):
    """Which part gives which statement away, and which statements decide each other."""
    q4 = {s.id: s for s in pool_of(bank, Q4)}
    assert q4["test-batch-stats"].revealed_by == ("b",)  # (b)'s test branch
    assert q4["batch-size-one"].revealed_by == ("d",)
    assert set(q4["no-parameters"].revealed_by) == {"b", "e"}
    assert q4["bias-redundant"].revealed_by == ("e",)  # (e)'s count has no bias
    assert q4["normalizes-output"].revealed_by == ("b",)  # (b)'s normalisation
    assert q4["regularizer"].revealed_by == ("d",)  # noisy statistics, (d)'s answer
    q6 = {s.id: s for s in pool_of(bank, Q6)}
    assert "needs-gradients" in q6["black-box"].excludes
    assert {"black-box", "needs-gradients"} <= set(q6["transfer"].excludes)
    assert q6["fgsm-iterative"].revealed_by == ("b",)  # (b) prints the one-step formula
    assert q6["linear-safe"].revealed_by == ("c",)
    assert q6["imperceptible"].revealed_by == ("c",)


@pytest.mark.parametrize(
    ("qid", "original"),
    [(Q4, ["faster-batch", "coupling", "normalizes-output", "init-small"]),
     (Q6, ["transfer", "fgsm-iterative", "dropout-defense", "black-box"])],
)  # fmt: skip
def test_the_replica_keeps_the_original_exams_statements(bank, qid, original):
    assert replica(bank, qid).params["statements"] == original


def pool(*statements: Statement) -> tuple[Statement, ...]:
    return statements


def s(id: str, true: bool, **fields) -> Statement:
    return Statement(id, f"Statement {id}.", true, f"Why {id}.", **fields)


def test_problems_names_each_bad_declaration():
    parts = {"a", "b", "c", "c.i"}
    assert problems(pool(s("x", True, revealed_by=("c.i",)), s("y", False)), parts) == []
    found = problems(
        pool(s("x", True, revealed_by=("f",)), s("y", False, excludes=("z",)),
             s("w", True, excludes=("y", "w")), s("y", True), s("v", False, revealed_by="b")),
        parts,
    )  # fmt: skip
    assert any("two statements have the id 'y'" in f for f in found)
    assert any("'x': revealed_by names part 'f'" in f for f in found)
    assert any("'y': excludes 'z', which the pool has not" in f for f in found)
    assert any("'w' excludes itself" in f for f in found)
    assert any("'w' excludes 'y' but not the other way round" in f for f in found)
    assert any("'v': revealed_by must be a tuple" in f for f in found)


def test_the_draw_leaves_out_what_the_printed_parts_give_away():
    statements = pool(
        s("t1", True), s("t2", True, revealed_by=("b",)), s("t3", True, revealed_by=("c.ii",)),
        s("f1", False, excludes=("f2",)), s("f2", False, excludes=("f1",)), s("f3", False),
    )  # fmt: skip
    seen = set()
    for seed in range(300):
        ids = draw(statements, 3, np.random.default_rng(seed), printed=("a", "b", "c"))
        assert "t2" not in ids and "t3" not in ids  # "c" prints its sub-part "c.ii"
        assert not {"f1", "f2"} <= set(ids)
        seen |= set(ids)
    assert seen == {"t1", "f1", "f2", "f3"}
    ids = {i for seed in range(50)
           for i in draw(statements, 3, np.random.default_rng(seed), printed=("a",))}  # fmt: skip
    assert {"t2", "t3"} <= ids  # parts not printed give nothing away


def test_the_draw_refuses_a_pool_left_too_small():
    statements = pool(s("t1", True), s("t2", True), s("f1", False, revealed_by=("b",)))
    with pytest.raises(ValueError, match="true and false ones; write more"):
        draw(statements, 2, np.random.default_rng(0), printed=("b",))


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [('revealed_by=("e",)', 'revealed_by=("f",)', "revealed_by names part 'f'"),
     ('excludes=("fewer-iterations",)', 'excludes=("fewer-iteration",)',
      "excludes 'fewer-iteration', which the pool has not"),
     ('excludes=("fewer-iterations",), ', "", "excludes 'faster-batch' but not the other way")],
)  # fmt: skip
def test_the_bank_refuses_a_pool_with_a_bad_declaration(tmp_path, bank, old, new, phrase):
    folder = tmp_path / "q4"
    shutil.copytree(bank[Q4].folder, folder, ignore=shutil.ignore_patterns("__pycache__"))
    solver = folder / "solve.py"
    text = solver.read_text(encoding="utf-8")
    assert old in text
    solver.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BankError, match="POOL") as caught:
        load_question(folder)
    assert phrase in str(caught.value)


# The tiers each copy prints, written from the original exam's four statements: 4(a) two
# read off the course (coupling, normalizes-output) and two subtle ones (faster-batch,
# init-small); 6(a) one (fgsm-iterative) and three (transfer, dropout-defense, black-box).
PROFILES = {Q4: [1, 1, 2, 2], Q6: [1, 2, 2, 2]}


@pytest.mark.parametrize("qid", POOLED)
def test_every_copy_prints_the_original_exams_mix_of_easy_and_subtle_statements(bank, qid):
    """Equally hard copies: no copy of 4(a) or 6(a) gets three giveaways where another gets
    none, over 300 seeds; and the replica's four have that mix too."""
    for seed, statements in zip(SEEDS, drawn(bank, qid), strict=True):
        assert sorted(s.tier for s in statements) == PROFILES[qid], seed
    by_id = {s.id: s for s in pool_of(bank, qid)}
    assert sorted(by_id[i].tier for i in replica(bank, qid).params["statements"]) == PROFILES[qid]


def test_the_draw_takes_so_many_of_each_tier_and_refuses_a_tier_left_short():
    statements = pool(s("e1", True, tier=1), s("e2", False, tier=1), s("e3", True, tier=1),
                      s("h1", False, tier=2), s("h2", True, tier=2))  # fmt: skip
    for seed in range(100):
        ids = draw(statements, 3, np.random.default_rng(seed), printed=(), tiers=(2, 1, 2))
        assert sorted(i[0] for i in ids) == ["e", "h", "h"]
    with pytest.raises(ValueError, match="2 statements of tier 2 can be drawn; 3 are needed"):
        draw(statements, 4, np.random.default_rng(0), printed=(), tiers=(1, 2, 2, 2))
    assert problems(pool(s("e1", True, tier=1), s("x", False)), set()) == [
        "statements x have no tier while others have one; give each a tier"
    ]
