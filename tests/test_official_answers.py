"""The seed exam's own values give the official answers of its published solutions."""

from __future__ import annotations

import numpy as np
import sympy as sp

from generator.authoring.formulas import evaluate

from .conftest import Q1, Q7, replica


def test_question1_replica_matches_official_solutions(bank):
    qv = replica(bank, Q1)
    answers = {key: answer.value for key, answer in qv.answers.items()}
    assert qv.params["n_x"] == 300 and qv.params["n_h"] == 80
    assert answers["a"] == 300
    assert answers["b.i"] == 300
    assert answers["b.ii"] == 1
    assert answers["c.i"] == 1
    weights, biases = answers["d"]
    assert (weights, biases) == (24080, 81)  # "300*80 + 80*1 = 24080", "80 + 1 = 81"
    assert weights + biases == 24161


def test_question7_replica_matches_official_solutions(bank):
    answers = {key: answer.value for key, answer in replica(bank, Q7).answers.items()}
    assert answers["c"] == [28, 28, 2]
    assert answers["d"] == 152
    assert answers["e"] == 32
    assert answers["f"] == 752


def test_same_padding_formula_is_f_minus_1_over_2(bank):
    (formula,) = replica(bank, Q7).answers["b"].value
    padding = sp.sympify(formula["sympy"])
    (f,) = padding.free_symbols
    assert f.name == "f"
    assert sp.simplify(padding - (f - 1) / 2) == 0
    assert formula["latex"] == r"\frac{f - 1}{2}"


def test_logistic_and_network_formulas_compute_what_the_official_solution_says(bank):
    qv = replica(bank, Q1)
    rng = np.random.default_rng(7)
    n_x, n_h = 300, 80
    W1, b1 = rng.standard_normal((n_h, n_x)), rng.standard_normal((n_h, 1))
    W2, b2 = rng.standard_normal((1, n_h)), rng.standard_normal((1, 1))
    x = rng.standard_normal((n_x, 1))

    def official(z):
        return 1 / (1 + np.exp(-z))

    network = official(W2 @ (W1 @ x + b1) + b2)
    (f_i,) = _formulas(qv, "f.i")
    w_prime, b_prime = _formulas(qv, "f.ii")
    symbols = {s.name: s for s in f_i.rhs.free_symbols}
    values = {symbols["W1"]: W1, symbols["b1"]: b1, symbols["W2"]: W2, symbols["b2"]: b2}
    assert np.allclose(evaluate(f_i, {**values, symbols["x"]: x}), network)
    assert np.allclose(evaluate(w_prime, values), W2 @ W1)
    assert np.allclose(evaluate(b_prime, values), W2 @ b1 + b2)
    assert w_prime.latex == "w' = W^{[2]} W^{[1]}"
    assert b_prime.latex == "b' = W^{[2]} b^{[1]} + b^{[2]}"


def _formulas(qv, key):
    """The Formula objects behind an expression answer (re-solved from the same params)."""
    raw = qv.question.solve(qv.params, np.random.default_rng(0))[key]
    raw = getattr(raw, "value", raw)
    return raw if isinstance(raw, list) else [raw]
