"""Question 1's alternatives (issue 27): over the seeds every alternative of every part is
drawn, and the key answers the one drawn.  The expected values are written here by hand:
the counts as formulas of the drawn sizes, the formulas as a student would type them for
each layout, the bounds of the (g) model answers as the sigmoid of the activation's range.
"""

from __future__ import annotations

import math
import re

import msgspec
import numpy as np
import pytest

from generator.check.stress import printed_text
from generator.kinds import KINDS

from .conftest import Q1, SEEDS, part_info, replica, variant

# What each (e) alternative asks (printed) and what its model answer must say.
DEPTH = {
    "efficiency": (
        "Why would you use neural networks with multiple layers?",
        "fewer hidden units",
    ),
    "hidden-layer": ("has no hidden layer", "linear decision boundary"),
    "drawback": ("harder to train", "vanish or explode"),
    "hierarchy": ("later hidden layers", "hierarchy of features"),
}
# (g): the activation as printed, and its range (low, high) by hand.
BEFORE = {
    "relu": (r"\sigma(\mathrm{ReLU}(z))", 0.0, math.inf),
    "tanh": (r"\sigma(\tanh(z))", -1.0, 1.0),
    "elu": (r"$e^z - 1$ for $z < 0$", -1.0, math.inf),
    "elu-half": (r"$0.5(e^z - 1)$ for $z < 0$", -0.5, math.inf),
}


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def drawn(bank):
    return [variant(bank, Q1, seed) for seed in SEEDS]


def test_every_alternative_is_drawn(drawn):
    params = [qv.params for qv in drawn]
    assert {p["depth"]["id"] for p in params} == set(DEPTH)
    assert {p["before_sigmoid"]["id"] for p in params} == set(BEFORE)
    assert {(p["layout"], p["w_layout"]) for p in params} == {
        ("column", "columns"), ("column", "rows"), ("row", "columns"), ("row", "rows"),
    }  # fmt: skip
    assert {p["k"] for p in params} == {2, 3, 4, 5, 6}
    assert {p["scale"] for p in params} == set(range(2, 10))
    assert not any(p["original"] for p in params)


def test_counts_are_computed_from_the_drawn_sizes_not_read_off(drawn):
    for qv in drawn:
        p, answers = qv.params, {key: a.value for key, a in qv.answers.items()}
        n_x, n_h, k = p["n_num"] + p["n_bin"], p["n_h"], p["k"]
        text = _flat(printed_text(qv))
        assert f"{p['n_num']} numeric input features" in text
        assert f"{p['n_bin']} binary (yes/no) input features" in text
        assert f"for each of the {k} labels" in text
        assert answers["a"] == n_x and answers["b.i"] == n_x * k
        assert answers["b.ii"] == answers["c.i"] == k
        assert answers["d"] == [n_x * n_h + n_h * k, n_h + k]
        for count in (answers["a"], answers["b.i"]):  # printed nowhere: to be computed
            assert not re.search(rf"(?<![\d.]){count}(?![\d.])", text), (qv.params, count)
        shape = "$(n_x, 1)$" if p["layout"] == "column" else "$(1, n_x)$"
        assert f"If the shape of $x^{{(i)}}$ is {shape}" in text


def test_text_parts_answer_the_question_drawn(drawn):
    for qv in drawn:
        text = _flat(printed_text(qv))
        asked, said = DEPTH[qv.params["depth"]["id"]]
        assert asked in text
        assert said in qv.answers["e"].value and qv.answers["e"].rubric
        others = [a for key, (a, _) in DEPTH.items() if key != qv.params["depth"]["id"]]
        assert not any(other in text for other in others)

        which = qv.params["before_sigmoid"]["id"]
        printed, low, high = BEFORE[which]
        assert printed in text
        model = qv.answers["g"].value
        if high == math.inf and low == 0.0:  # ReLU: every output at least sigma(0) = 0.5
            assert "at least 0.5" in model and "positive" in model
        else:
            assert f"{_sigmoid(low):.2f}" in model
            if high != math.inf:
                assert f"{_sigmoid(high):.2f}" in model
        assert any(f"{_sigmoid(low):.2f}" in r or "0.5" in r for r in qv.answers["g"].rubric)


def _part(qv, key: str):
    """The part as the key holds it, for the grader."""
    answer = qv.answers[key]
    (points,) = [leaf.points for leaf in qv.question.leaves() if leaf.key == key]
    return part_info(
        answer.kind, answer.value, points=points, alternatives=list(answer.alternatives),
        scoring=msgspec.to_builtins(answer.scoring),
    )  # fmt: skip


# The formulas by hand, as a student types them, for each layout.
LOGISTIC = {
    ("column", "columns"): "sigma(w^T x + b)",
    ("column", "rows"): "sigma(w x + b)",
    ("row", "columns"): "sigma(x w + b)",
    ("row", "rows"): "sigma(x w^T + b)",
}


def _network(layout: str, c: int) -> str:
    return f"sigma({c} W2 (W1 x + b1) + b2)" if layout == "column" else (
        f"sigma({c} (x W1 + b1) W2 + b2)")  # fmt: skip


def _collapsed(layout: str, c: int) -> str:
    return f"w' = {c} W2 W1; b' = {c} W2 b1 + b2" if layout == "column" else (
        f"w' = {c} W1 W2; b' = {c} b1 W2 + b2")  # fmt: skip


@pytest.mark.parametrize("seed", range(0, 300, 7))
def test_formula_parts_grade_the_layout_and_activation_drawn(bank, seed):
    qv = variant(bank, Q1, seed)
    p = qv.params
    expression = KINDS["expression"]
    layouts = (p["layout"], p["w_layout"])
    c_ii = _part(qv, "c.ii")
    for other, response in LOGISTIC.items():
        assert expression.score(c_ii, response) == (1 if other == layouts else 0), response
    f_i, f_ii = _part(qv, "f.i"), _part(qv, "f.ii")
    c = p["scale"]
    assert expression.score(f_i, _network(p["layout"], c)) == 1
    assert expression.score(f_ii, _collapsed(p["layout"], c)) == 1
    flipped = "row" if p["layout"] == "column" else "column"
    for wrong in (_network(flipped, c), _network(p["layout"], c + 1), _network(p["layout"], 1)):
        assert expression.score(f_i, wrong) == 0, wrong
    assert expression.score(f_ii, _collapsed(p["layout"], c + 1)) == 0
    assert expression.score(f_ii, _collapsed(flipped, c)) == 0


def test_formulas_compute_the_network_by_hand(drawn):
    """The key's formulas evaluated at random values equal numpy's forward pass."""
    from generator.authoring.formulas import evaluate

    rng = np.random.default_rng(3)
    for qv in drawn[:40]:
        p = qv.params
        n_x, n_h, k, c = p["n_x"], p["n_h"], p["k"], p["scale"]
        raw = qv.question.solve(p, np.random.default_rng(0))
        # scaled so that the sigmoid's input stays near 1: no overflow, nothing saturated
        W1, b1 = rng.standard_normal((n_h, n_x)) / n_x**0.5, rng.standard_normal((n_h, 1))
        W2, b2 = rng.standard_normal((k, n_h)) / (c * n_h**0.5), rng.standard_normal((k, 1))
        x = rng.standard_normal((n_x, 1))
        y = 1 / (1 + np.exp(-(W2 @ (c * (W1 @ x + b1)) + b2)))
        f_i = raw["f.i"]
        w_prime, b_prime = raw["f.ii"].value
        row = p["layout"] == "row"
        values = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "x": x}
        if row:
            values = {name: v.T for name, v in values.items()}
        symbols = {s.name: s for s in f_i.rhs.free_symbols}
        given = {symbols[name]: v for name, v in values.items()}
        assert np.allclose(evaluate(f_i, given), y.T if row else y)
        collapsed = evaluate(w_prime, given), evaluate(b_prime, given)
        if row:
            assert np.allclose(collapsed[0], (c * W2 @ W1).T)
            assert np.allclose(collapsed[1], (c * W2 @ b1 + b2).T)
        else:
            assert np.allclose(collapsed[0], c * W2 @ W1)
            assert np.allclose(collapsed[1], c * W2 @ b1 + b2)


def test_every_variant_declares_the_same_steps(drawn):
    steps = {
        repr(qv.question.solve(qv.params, np.random.default_rng(0))["steps"]) for qv in drawn[:60]
    }
    assert len(steps) == 1
    (declared,) = {
        tuple(sorted(qv.question.solve(qv.params, np.random.default_rng(0))["steps"]))
        for qv in drawn[:1]
    }
    assert declared == ("a", "b.i", "b.ii", "c.i", "c.ii", "d", "e", "f.i", "f.ii", "g")


def test_the_replica_asks_the_original_alternatives(bank):
    qv = replica(bank, Q1)
    text = _flat(printed_text(qv))
    assert "with 300 input features" in text and "$(n_x, 1)$" in text
    assert DEPTH["efficiency"][0] in text
    assert r"\sigma(\mathrm{ReLU}(z))" in text and "g(z)" not in text
    assert "fewer hidden units" in qv.answers["e"].value
    assert "at least 0.5" in qv.answers["g"].value
