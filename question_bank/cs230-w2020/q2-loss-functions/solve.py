"""Question 2: binary cross-entropy, L2 regularization and a two-task loss.

Losses are computed by the engine from the numbers exactly as printed, and the
unsimplified formula of each is evaluated by sympy as a second computation.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import (
    Accept,
    Formula,
    dense,
    evaluate,
    losses,
    memoize,
    optim,
    require,
    sampling,
)

SCENARIOS = (
    {"id": "watermelon", "fruit": "watermelon", "a": "a", "fruits": "watermelons",
     "cue": "the yellow creamy spot on the outside of a watermelon",
     "good": "sweet", "quality": "sweetness", "unit": "pounds"},
    {"id": "pineapple", "fruit": "pineapple", "a": "a", "fruits": "pineapples",
     "cue": "the golden color at the base of a pineapple",
     "good": "sweet", "quality": "sweetness", "unit": "pounds"},
    {"id": "cantaloupe", "fruit": "cantaloupe", "a": "a", "fruits": "cantaloupes",
     "cue": "the raised netting on the rind of a cantaloupe",
     "good": "sweet", "quality": "sweetness", "unit": "pounds"},
    {"id": "avocado", "fruit": "avocado", "a": "an", "fruits": "avocados",
     "cue": "the dark color of an avocado's skin",
     "good": "ripe", "quality": "ripeness", "unit": "grams"},
    {"id": "peach", "fruit": "peach", "a": "a", "fruits": "peaches",
     "cue": "the yellow (rather than green) background color of a peach's skin",
     "good": "ripe", "quality": "ripeness", "unit": "grams"},
)  # fmt: skip

REPLICA = {
    "scenario": SCENARIOS[0],
    "label_c": 0, "prediction_c": 0.9,
    "labels_d": [1, 0, 0], "predictions_d": [0.1, 0.2, 0.7],
    "penalty_half": False,
}  # fmt: skip

Y, Y_HAT = sp.Symbol("y"), sp.Symbol("yhat")
NAMES = {Y_HAT: r"\hat{y}"}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Predictions are whole tenths, so each log term can be written down as printed; the
    dataset of (d) holds both classes, so that both terms of the loss are tested."""
    size = int(rng.integers(3, 6))
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "label_c": int(rng.integers(0, 2)),
        "prediction_c": _tenth(rng),
        "labels_d": sampling.until(
            lambda: [int(v) for v in rng.integers(0, 2, size=size)],
            lambda labels: 0 < sum(labels) < len(labels),
        ),
        "predictions_d": [_tenth(rng) for _ in range(size)],
        "penalty_half": bool(rng.integers(0, 2)),
    }


def _tenth(rng: np.random.Generator) -> float:
    return int(rng.integers(1, 10)) / 10


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    return {
        "b": _bce_formula(rng),
        "c": _cost([params["label_c"]], [params["prediction_c"]], lhs="L"),
        "d": _cost(params["labels_d"], params["predictions_d"], lhs="J"),
        "e.i": _l2_update(params["penalty_half"], rng),
        "g.i": Accept(_label_size(), ("$2 \\times 1$", "$1 \\times 2$")),
        "g.ii": _two_task_loss(rng),
    }


def _bce_formula(rng: np.random.Generator) -> Formula:
    """L = -(y log y_hat + (1 - y) log(1 - y_hat)), checked against the engine on random values."""
    rhs = _negated(sp.Add(Y * sp.log(Y_HAT), (1 - Y) * sp.log(1 - Y_HAT), evaluate=False))
    formula = Formula(r"L(y, \hat{y})", rhs, NAMES)
    y, y_hat = rng.integers(0, 2, size=20).astype(float), rng.uniform(0.01, 0.99, size=20)
    require(
        np.allclose(evaluate(formula, {Y: y, Y_HAT: y_hat}), losses.binary_cross_entropy(y, y_hat)),
        "BCE formula",
    )
    return formula


def _negated(expr: sp.Expr) -> sp.Expr:
    """``-(...)`` kept as written instead of distributed over the sum."""
    return sp.Mul(-1, expr, evaluate=False)


def _cost(labels: list[int], predictions: list[float], lhs: str) -> Accept:
    """The averaged BCE by the engine, and the filled-in formula evaluated exactly by sympy."""
    value = losses.bce_cost(np.array(labels), np.array(predictions))
    terms = [
        sp.log(sp.Float(str(_log_argument(y, p))), evaluate=False)
        for y, p in zip(labels, predictions, strict=True)
    ]
    total = sp.Add(*terms, evaluate=False)
    if len(terms) == 1:
        rhs = sp.Mul(-1, terms[0], evaluate=False)
    else:
        rhs = sp.Mul(
            -1,
            sp.Mul(sp.Rational(1, len(terms)), sp.UnevaluatedExpr(total), evaluate=False),
            evaluate=False,
        )
    formula = Formula(lhs, rhs)
    require(abs(float(rhs.doit()) - value) < 1e-9, f"{lhs}: formula and engine disagree")
    mistakes = {"the minus sign is missing": -value}
    if len(terms) > 1:  # the rubric's partial credit: the log terms right, not averaged
        mistakes[AVERAGING_MISSING] = value * len(terms)
    return Accept(value, formula=formula, mistakes=mistakes)


AVERAGING_MISSING = "the averaging factor is missing"


def _log_argument(label: int, prediction: float) -> Decimal:
    """The probability the model gave the true label, exactly as a person writes it."""
    p = Decimal(str(prediction))
    return p if label == 1 else Decimal(1) - p


W, ALPHA, LAM, GRAD = sp.symbols("W alpha lam dJdW")  # "lambda" would not parse back


@memoize
def l2_update_rule(penalty_half: bool) -> Formula:
    """W = (1 - 2 c alpha lambda) W - alpha dJ/dW, as derived by sympy from the penalty."""
    scale = sp.Rational(1, 2) if penalty_half else sp.Integer(1)
    derived = W - ALPHA * (GRAD + sp.diff(scale * LAM * W**2, W))
    factor = sp.Add(1, -2 * scale * ALPHA * LAM, evaluate=False)
    rhs = sp.Add(sp.Mul(factor, W, evaluate=False), -ALPHA * GRAD, evaluate=False)
    require(sp.expand(rhs - derived) == 0, "L2 update derivation")
    return Formula("W", rhs, {LAM: r"\lambda", GRAD: r"\frac{\partial J_{BCE}}{\partial W}"})


def _l2_update(penalty_half: bool, rng: np.random.Generator) -> Formula:
    """The update rule, checked by one real gradient step of a regularized logistic regression."""
    formula = l2_update_rule(penalty_half)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 2, size=30).astype(float)
    w = rng.standard_normal(4)
    _, data_grad, _ = optim.logistic_loss_and_grad(w, 0.0, X, y)
    lr, reg = 0.1, 0.3
    stepped = optim.l2_gradient_step(w, data_grad, lr, reg, 0.5 if penalty_half else 1.0)
    got = evaluate(formula, {W: w, ALPHA: lr, LAM: reg, GRAD: data_grad})
    require(np.allclose(got, stepped), "L2 update against a gradient step")
    return formula


def _label_size() -> int:
    """One binary target and one regression target, stacked into one label vector."""
    label = np.vstack([np.array([[1.0]]), np.array([[3.5]])])
    return int(label.shape[0])


def _two_task_loss(rng: np.random.Generator) -> Formula:
    """BCE on the binary target plus squared error on the regression target."""
    y1, y2, h1, h2 = sp.symbols("y1 y2 yhat1 yhat2")
    bce = _negated(sp.Add(y1 * sp.log(h1), (1 - y1) * sp.log(1 - h1), evaluate=False))
    rhs = sp.Add(bce, (y2 - h2) ** 2, evaluate=False)
    names = {y1: "y_1", y2: "y_2", h1: r"\hat{y}_1", h2: r"\hat{y}_2"}
    formula = Formula(r"L(y, \hat{y})", rhs, names)
    t1, t2 = rng.integers(0, 2, size=10).astype(float), rng.uniform(1, 20, size=10)
    p1, p2 = dense.sigmoid(rng.standard_normal(10)), rng.uniform(1, 20, size=10)
    expected = losses.binary_cross_entropy(t1, p1) + losses.squared_error(t2, p2)
    got = evaluate(formula, {y1: t1, y2: t2, h1: p1, h2: p2})
    require(np.allclose(got, expected), "two-task loss")
    return formula


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The losses with math.log on the printed tenths, and one label entry per task."""

    def term(label: int, prediction: float) -> float:
        return math.log(prediction) if label == 1 else math.log(1 - prediction)

    labels, predictions = params["labels_d"], params["predictions_d"]
    return {
        "c": -term(params["label_c"], params["prediction_c"]),
        "d": -sum(map(term, labels, predictions)) / len(labels),
        "g.i": 2,
    }
