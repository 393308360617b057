"""Question 1: a logistic-regression baseline and a one-hidden-layer network.

The numbers are read off numpy layers built at the drawn sizes; the formulas
are sympy expressions checked against the layers' forward passes on random
values (a wrong formula fails generation, not a student).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import SIGMA, Accept, Formula, dense, evaluate, require

# Prediction tasks of the same shape as the seed's startup-funding one.
SCENARIOS = (
    {
        "id": "startup",
        "task": "whether a startup will raise funding (label = 1) or not (label = 0) in its "
        "first year",
        "features": "the number of founders, the number of employees, the variance in the age "
        "of the employees",
        "item": "a startup",
        "event": "raises funding in its first year",
    },
    {
        "id": "loan-default",
        "task": "whether a borrower will default on a loan (label = 1) or repay it (label = 0)",
        "features": "the borrower's income, the amount of the loan, the number of open credit "
        "lines",
        "item": "a borrower",
        "event": "defaults on the loan",
    },
    {
        "id": "readmission",
        "task": "whether a patient will be readmitted to hospital within 30 days of discharge "
        "(label = 1) or not (label = 0)",
        "features": "the patient's age, the length of the stay, the number of prior admissions",
        "item": "a patient",
        "event": "is readmitted within 30 days",
    },
    {
        "id": "churn",
        "task": "whether a subscriber will cancel their subscription next month (label = 1) or "
        "not (label = 0)",
        "features": "the number of logins last month, the price of the plan, the number of "
        "support tickets",
        "item": "a subscriber",
        "event": "cancels next month",
    },
    {
        "id": "flight-delay",
        "task": "whether a flight will be delayed by more than 15 minutes (label = 1) or not "
        "(label = 0)",
        "features": "the departure hour, the distance flown, the number of flights scheduled at "
        "the airport",
        "item": "a flight",
        "event": "is delayed by more than 15 minutes",
    },
    {
        "id": "crop-disease",
        "task": "whether a field's crop will be hit by blight this season (label = 1) or not "
        "(label = 0)",
        "features": "the average humidity, the soil acidity, the number of rainy days",
        "item": "a field",
        "event": "is hit by blight this season",
    },
)

# Sizes keep the parameter count a two-digit-by-three-digit product.
FEATURES = tuple(range(20, 510, 10))
HIDDEN = (8, 10, 12, 16, 20, 24, 25, 30, 32, 40, 50, 60, 64, 80, 100, 128)

REPLICA = {"scenario": SCENARIOS[0], "n_x": 300, "n_h": 80}

Y_HAT = r"\hat{y}^{(i)}"

# The formulas hold for every size, so they are built (and typeset) once, with symbolic
# dimensions; each variant checks them numerically at its own sizes.
N_X, N_H = sp.symbols("n_x n_h", positive=True, integer=True)
X, W, B = sp.MatrixSymbol("x", N_X, 1), sp.MatrixSymbol("w", N_X, 1), sp.MatrixSymbol("b", 1, 1)
W1, B1 = sp.MatrixSymbol("W1", N_H, N_X), sp.MatrixSymbol("b1", N_H, 1)
W2, B2 = sp.MatrixSymbol("W2", 1, N_H), sp.MatrixSymbol("b2", 1, 1)
NAMES = {X: "x^{(i)}", W1: "W^{[1]}", B1: "b^{[1]}", W2: "W^{[2]}", B2: "b^{[2]}"}

LOGISTIC = Formula(Y_HAT, SIGMA(sp.MatAdd(W.T * X, B, evaluate=False)), NAMES)
NETWORK = Formula(
    Y_HAT,
    SIGMA(sp.MatAdd(W2 * sp.MatAdd(W1 * X, B1, evaluate=False), B2, evaluate=False)),
    NAMES,
)
W_PRIME = Formula("w'", W2 * W1, NAMES)
B_PRIME = Formula("b'", sp.MatAdd(W2 * B1, B2, evaluate=False), NAMES)


def sample(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "n_x": int(rng.choice(FEATURES)),
        "n_h": int(rng.choice(HIDDEN)),
    }


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    n_x, n_h = params["n_x"], params["n_h"]
    baseline = dense.logistic_regression(n_x)
    network = dense.mlp([n_x, n_h, 1])
    prediction = dense.sigmoid(baseline(np.zeros((n_x, 1))))
    weights, biases = dense.parameter_counts(network)
    _check_relu_before_sigmoid(rng)
    return {
        "a": baseline.n_in,
        "b.i": Accept(baseline.weight_count, (f"${n_x} \\times 1$",)),
        "b.ii": Accept(baseline.bias_count, ("$1 \\times 1$",)),
        "c.i": Accept(int(prediction.size), ("$1 \\times 1$",)),
        "c.ii": Accept(
            _logistic_formula(n_x, rng), (r"$\sigma(w x^{(i)} + b)$ with $w$ a row vector",)
        ),
        "d": [weights, biases],
        "f.i": _network_formula(n_x, n_h, rng),
        "f.ii": Accept(_collapse_formulas(n_x, n_h, rng), (TRANSPOSED,)),
    }


def _logistic_formula(n_x: int, rng: np.random.Generator) -> Formula:
    """y = sigma(w^T x + b), checked against a logistic-regression layer."""
    layer = dense.Dense.random(n_x, 1, rng)
    xs = rng.standard_normal((n_x, 1))
    got = evaluate(LOGISTIC, {W: layer.W.T, B: layer.b, X: xs})
    require(np.allclose(got, dense.sigmoid(layer(xs))), "logistic-regression formula")
    return LOGISTIC


def _network_formula(n_x: int, n_h: int, rng: np.random.Generator) -> Formula:
    """y = sigma(W2 (W1 x + b1) + b2), checked against the two layers run in sequence."""
    layers = [dense.Dense.random(n_x, n_h, rng), dense.Dense.random(n_h, 1, rng)]
    xs = rng.standard_normal((n_x, 1))
    got = evaluate(NETWORK, {**_layer_values(layers), X: xs})
    require(np.allclose(got, dense.sigmoid(dense.forward_linear(layers, xs))), "network formula")
    return NETWORK


# The official rubric accepts w' transposed when it is read as a column vector.
TRANSPOSED = (r"$w' = (W^{[2]}W^{[1]})^T; b' = W^{[2]}b^{[1]} + b^{[2]}$ "
              r"if $w'$ is a column vector")  # fmt: skip


def _collapse_formulas(n_x: int, n_h: int, rng: np.random.Generator) -> list[Formula]:
    """w' = W2 W1 and b' = W2 b1 + b2, checked by collapsing random layers and comparing outputs."""
    layers = [dense.Dense.random(n_x, n_h, rng), dense.Dense.random(n_h, 1, rng)]
    values = _layer_values(layers)
    collapsed = dense.Dense(evaluate(W_PRIME, values), evaluate(B_PRIME, values))
    inputs = rng.standard_normal((n_x, 16))
    network = dense.sigmoid(dense.forward_linear(layers, inputs))
    require(
        np.allclose(dense.sigmoid(collapsed(inputs)), network),
        "collapse of the linear network into logistic regression",
    )
    require(np.allclose(collapsed.W, dense.collapse_linear(layers).W), "w' = W2 W1")
    return [W_PRIME, B_PRIME]


def _layer_values(layers: list[dense.Dense]) -> dict[sp.Basic, np.ndarray]:
    first, second = layers
    return {W1: first.W, B1: first.b, W2: second.W, B2: second.b}


def _check_relu_before_sigmoid(rng: np.random.Generator) -> None:
    """The official answer (every output is at least 0.5) holds on random pre-activations."""
    z = rng.standard_normal(1000) * 10
    require(bool(np.all(dense.sigmoid(dense.relu(z)) >= 0.5)), "sigma(ReLU(z)) >= 0.5")


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The counts by hand: one weight per feature, n_x * n_h + n_h * 1 weights, n_h + 1 biases."""
    n_x, n_h = params["n_x"], params["n_h"]
    return {"a": n_x, "b.i": n_x, "b.ii": 1, "c.i": 1, "d": [n_x * n_h + n_h * 1, n_h + 1]}
