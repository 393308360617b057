"""Question 2: binary cross-entropy, L2 regularization and a two-task loss.

Losses are computed by the engine from the numbers exactly as printed, and the
unsimplified formula of each is evaluated by sympy as a second computation.

Every part's answer varies across copies (issue 27), at the original's level:

- the network's output estimates the probability of label 1 (as in the original) or of
  label 0, which changes the formula of (b) and the log terms of (c), (d) and (g)(ii);
- (a), (e)(ii), (e)(iii) and (f) ask one of several alternative questions (the data
  below: a model answer and grading notes each);
- the L2 penalty of (e)(i) is lambda W^2, lambda/2 W^2, lambda/(2m) W^2 or lambda/m W^2;
- the unified network of (g) predicts one to three measurements besides the quality
  label, which sets the label's size and the loss's terms.
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
    Model,
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

# (a): a loss a student might pick for a binary classifier, and why it trains badly.
LOSSES_A = {
    "mse": Model(
        "With outputs constrained to $[0, 1]$, MSE puts an upper bound of 1 on the loss of an "
        "example, when intuitively a confident wrong prediction should cost without bound "
        "(being as wrong as possible); BCE does this and is the more natural choice.",
        ("Credit for a valid reason: bounded loss for confident mistakes, weak gradients with "
         "a sigmoid output, or MSE not matching a Bernoulli likelihood.",),
    ),
    "error_rate": Model(
        "The classification error is piecewise constant in the parameters: its gradient is "
        "zero almost everywhere (and undefined where it jumps), so gradient descent gets no "
        "signal to change the weights.",
        ("Credit for a valid reason: zero (or undefined) gradient, the loss not being "
         "differentiable, or the loss ignoring how confident a prediction is.",),
    ),
    "positive_only": Model(
        "The loss is 0 on every negative example ($y = 0$), so nothing penalizes predicting "
        "$p = 1$ for every fruit: the model reaches zero loss by calling every fruit positive.",
        ("Credit for a valid reason: negative examples contribute no loss (no gradient), so "
         "the model can predict the positive class for every example.",),
    ),
}  # fmt: skip

# (e)(ii): which model has the L2 penalty, and what is compared.
L2_MODELS = ("A", "B")
COMPARED = ("weights", "training cost", "gap")


def compared_answer(l2_model: str, compared: str) -> Model:
    """Model A against model B: L2 makes the weights smaller, the training BCE higher and
    the gap between training and dev costs smaller (less overfitting)."""
    regularized_is_a = l2_model == "A"
    if compared == "weights":
        more = "smaller" if regularized_is_a else "larger"
        return Model(
            f"The weights of model A will generally be {more} in magnitude than those of model B.",
            (f"Credit for: model A's weights {more} in magnitude.",),
        )
    if compared == "training cost":
        more = "higher" if regularized_is_a else "lower"
        return Model(
            f"Model A's BCE cost on the training set will generally be {more} than model "
            f"B's: the penalty keeps model {l2_model}'s weights small, so that model fits "
            "the training set less closely.",
            (f"Credit for: model A's training cost {more} (the regularized model fits the "
             "training set less closely).",),
        )  # fmt: skip
    more = "smaller" if regularized_is_a else "larger"
    return Model(
        f"The gap between model A's training and dev costs will generally be {more} than "
        "model B's: the L2 penalty reduces overfitting (variance).",
        (f"Credit for: model A's gap {more} (the regularized model overfits less).",),
    )


# (e)(iii): one difference between L2 regularization and another way to regularize.
CONTRASTS = {
    "l1": Model(
        "L1 leads to weight sparsity (many weights exactly 0), while L2 leads to smaller "
        "weights generally but not necessarily many exact zeros. L1 adds a penalty "
        "proportional to the sum of the absolute values of the weights, L2 one proportional "
        "to the sum of their squares.",
        ("Credit for either difference: sparsity versus small weights, or absolute values "
         "versus squares in the penalty.",),
    ),
    "dropout": Model(
        "L2 adds a penalty on the squared weights to the cost function, while dropout leaves "
        "the cost unchanged and instead shuts off randomly chosen units at each training "
        "step, so that no unit can rely on any one input.",
        ("Credit for either difference: a penalty term in the cost versus randomly dropped "
         "units, or weights shrunk towards 0 versus weights spread out over the inputs.",),
    ),
    "early_stopping": Model(
        "L2 adds a penalty on the squared weights to the cost function and trains until it "
        "is minimized, while early stopping leaves the cost unchanged and stops training "
        "when the dev-set error starts to rise, one knob for both fitting the cost and not "
        "overfitting.",
        ("Credit for either difference: a penalty term in the cost versus halting training "
         "by the dev error, or minimizing the cost fully versus stopping before it is "
         "minimized.",),
    ),
    "augmentation": Model(
        "L2 adds a penalty on the squared weights to the cost function, while data "
        "augmentation leaves the cost and the model unchanged and instead enlarges the "
        "training set with transformed copies of its images (flips, crops, color changes).",
        ("Credit for either difference: constraining the weights through the cost versus "
         "adding training data, or acting on the model versus acting on the data.",),
    ),
}  # fmt: skip

# (f): reusing the quality classifier's weights for the weight regressor.
TRANSFERS = {
    "advantage": Model(
        "Features learned for the first task (shared weights) are likely useful for the "
        "second task too, so training starts from a better point and needs less data.",
        ("Credit for a valid advantage: features learned for the first task are useful for "
         "the second, so training needs less data or less time.",),
    ),
    "output_layer": Model(
        "Replace the sigmoid output unit, whose output is a probability between 0 and 1, by "
        "a linear (or ReLU) output unit that can predict any weight, trained with a "
        "regression loss such as MSE.",
        ("Credit for replacing the sigmoid output by a linear (or ReLU) one, since a weight "
         "is not a probability in $[0, 1]$.",),
    ),
    "small_data": Model(
        "Retrain only the last layer (or last few layers) and keep the others frozen: with "
        "so few images, retraining every weight would overfit, while the earlier layers' "
        "general features (edges, shapes, textures) still apply.",
        ("Credit for retraining only the last layer(s), because a small dataset would "
         "overfit if every weight were retrained.",),
    ),
    "large_data": Model(
        "Retrain (fine-tune) all of the weights, starting from the classifier's: with this "
        "much data every layer can adapt to the new task without overfitting.",
        ("Credit for retraining every layer starting from the reused weights, because a "
         "large dataset lets the whole network adapt without overfitting.",),
    ),
}  # fmt: skip

# (g): what the unified network measures besides the quality label and the weight.
MEASUREMENTS = ("its diameter in centimeters", "the number of days since it was picked")

REPLICA = {
    "scenario": SCENARIOS[0],
    "yhat_label": 1,
    "loss_a": "mse",
    "label_c": 0, "prediction_c": 0.9,
    "labels_d": [1, 0, 0], "predictions_d": [0.1, 0.2, 0.7],
    "penalty_half": False, "penalty_per_m": False,
    "l2_model": "A", "compared": "weights",
    "contrast": "l1",
    "transfer": "advantage",
    "measurements": [],
}  # fmt: skip

Y, Y_HAT = sp.Symbol("y"), sp.Symbol("yhat")
NAMES = {Y_HAT: r"\hat{y}"}

STEPS = {
    "a": ("evaluate the proposed loss on both labels", "name the property that hinders training"),
    "b": ("probability the output gives the true label", "negative log, for each label"),
    "c": ("probability the output gives the true label", "negative log"),
    "d": ("probability the output gives each true label", "negative log of each",
          "average over the examples"),
    "e.i": ("derivative of the penalty", "gradient step on cost and penalty"),
    "e.ii": ("identify the regularized model", "effect of L2 on the quantity compared"),
    "e.iii": ("what each method changes in training", "contrast one effect"),
    "f": ("relate the old task to the new one", "consequence for the reused weights"),
    "g.i": ("one label entry per target",),
    "g.ii": ("cross-entropy term for the binary target",
             "squared-error term per measured target", "sum of the terms"),
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Predictions are whole tenths, so each log term can be written down as printed; the
    dataset of (d) holds both classes, so that both terms of the loss are tested."""
    size = int(rng.integers(3, 6))
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "yhat_label": int(rng.integers(0, 2)),
        "loss_a": _pick(rng, tuple(LOSSES_A)),
        "label_c": int(rng.integers(0, 2)),
        "prediction_c": _tenth(rng),
        "labels_d": sampling.until(
            lambda: [int(v) for v in rng.integers(0, 2, size=size)],
            lambda labels: 0 < sum(labels) < len(labels),
        ),
        "predictions_d": [_tenth(rng) for _ in range(size)],
        "penalty_half": bool(rng.integers(0, 2)),
        "penalty_per_m": bool(rng.integers(0, 2)),
        "l2_model": _pick(rng, L2_MODELS),
        "compared": _pick(rng, COMPARED),
        "contrast": _pick(rng, tuple(CONTRASTS)),
        "transfer": _pick(rng, tuple(TRANSFERS)),
        "measurements": list(MEASUREMENTS[: int(rng.integers(0, len(MEASUREMENTS) + 1))]),
    }


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _tenth(rng: np.random.Generator) -> float:
    return int(rng.integers(1, 10)) / 10


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    yhat_label = params["yhat_label"]
    measured = 1 + len(params["measurements"])  # the weight and the other measurements
    size = 1 + measured
    return {
        "a": LOSSES_A[params["loss_a"]],
        "b": _bce_formula(yhat_label, rng),
        "c": _cost([params["label_c"]], [params["prediction_c"]], yhat_label, lhs="L"),
        "d": _cost(params["labels_d"], params["predictions_d"], yhat_label, lhs="J"),
        "e.i": _l2_update(params["penalty_half"], params["penalty_per_m"], rng),
        "e.ii": compared_answer(params["l2_model"], params["compared"]),
        "e.iii": CONTRASTS[params["contrast"]],
        "f": TRANSFERS[params["transfer"]],
        "g.i": Accept(_label_size(measured), (f"${size} \\times 1$", f"$1 \\times {size}$")),
        "g.ii": _multi_task_loss(yhat_label, measured, rng),
        "steps": STEPS,
    }


def _bce(y: sp.Expr, y_hat: sp.Expr, yhat_label: int) -> sp.Expr:
    """-(y log p + (1 - y) log(1 - p)), p the probability of label 1: y_hat, or 1 - y_hat
    when the output estimates the probability of label 0."""
    p, q = (y_hat, 1 - y_hat) if yhat_label == 1 else (1 - y_hat, y_hat)
    return _negated(sp.Add(y * sp.log(p), (1 - y) * sp.log(q), evaluate=False))


def _bce_formula(yhat_label: int, rng: np.random.Generator) -> Formula:
    """The BCE of one example, checked against the engine on random values."""
    formula = Formula(r"L(y, \hat{y})", _bce(Y, Y_HAT, yhat_label), NAMES)
    y, y_hat = rng.integers(0, 2, size=20).astype(float), rng.uniform(0.01, 0.99, size=20)
    require(
        np.allclose(
            evaluate(formula, {Y: y, Y_HAT: y_hat}),
            losses.binary_cross_entropy(y, _probability_of_1(y_hat, yhat_label)),
        ),
        "BCE formula",
    )
    return formula


def _probability_of_1(y_hat: Any, yhat_label: int) -> Any:
    return y_hat if yhat_label == 1 else 1 - y_hat


def _negated(expr: sp.Expr) -> sp.Expr:
    """``-(...)`` kept as written instead of distributed over the sum."""
    return sp.Mul(-1, expr, evaluate=False)


def _cost(labels: list[int], predictions: list[float], yhat_label: int, lhs: str) -> Accept:
    """The averaged BCE by the engine, and the filled-in formula evaluated exactly by sympy."""
    value = losses.bce_cost(np.array(labels), _probability_of_1(np.array(predictions), yhat_label))
    terms = [
        sp.log(sp.Float(str(_log_argument(y, p, yhat_label))), evaluate=False)
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


def _log_argument(label: int, prediction: float, yhat_label: int) -> Decimal:
    """The probability the model gave the true label, exactly as a person writes it."""
    p = Decimal(str(prediction))
    return p if label == yhat_label else Decimal(1) - p


W, ALPHA, LAM, GRAD, M = sp.symbols("W alpha lam dJdW m")  # "lambda" would not parse back


def penalty_scale(penalty_half: bool, penalty_per_m: bool) -> sp.Expr:
    """The penalty is scale * lambda * W^2: lambda W^2, lambda/2 W^2, lambda/(2m) W^2 or
    lambda/m W^2."""
    half = sp.Rational(1, 2) if penalty_half else sp.Integer(1)
    return half / M if penalty_per_m else half


@memoize
def l2_update_rule(penalty_half: bool, penalty_per_m: bool = False) -> Formula:
    """W = (1 - 2 c alpha lambda) W - alpha dJ/dW, as derived by sympy from the penalty."""
    scale = penalty_scale(penalty_half, penalty_per_m)
    derived = W - ALPHA * (GRAD + sp.diff(scale * LAM * W**2, W))
    factor = sp.Add(1, -2 * scale * ALPHA * LAM, evaluate=False)
    rhs = sp.Add(sp.Mul(factor, W, evaluate=False), -ALPHA * GRAD, evaluate=False)
    require(sp.expand(rhs - derived) == 0, "L2 update derivation")
    return Formula("W", rhs, {LAM: r"\lambda", GRAD: r"\frac{\partial J_{BCE}}{\partial W}"})


def _l2_update(penalty_half: bool, penalty_per_m: bool, rng: np.random.Generator) -> Formula:
    """The update rule, checked by one real gradient step of a regularized logistic regression."""
    formula = l2_update_rule(penalty_half, penalty_per_m)
    X, y = rng.standard_normal((30, 4)), rng.integers(0, 2, size=30).astype(float)
    w = rng.standard_normal(4)
    _, data_grad, _ = optim.logistic_loss_and_grad(w, 0.0, X, y)
    lr, reg, m = 0.1, 0.3, len(y)
    scale = float(penalty_scale(penalty_half, penalty_per_m).subs(M, m))
    stepped = optim.l2_gradient_step(w, data_grad, lr, reg, scale)
    got = evaluate(formula, {W: w, ALPHA: lr, LAM: reg, GRAD: data_grad, M: m})
    require(np.allclose(got, stepped), "L2 update against a gradient step")
    return formula


def _label_size(measured: int) -> int:
    """One binary target and the measured (regression) targets, stacked into one label
    vector."""
    label = np.vstack([np.array([[1.0]]), np.full((measured, 1), 3.5)])
    return int(label.shape[0])


def _multi_task_loss(yhat_label: int, measured: int, rng: np.random.Generator) -> Formula:
    """BCE on the binary target (y_1) plus a squared error per measured target (y_2, ...)."""
    size = 1 + measured
    ys = sp.symbols(f"y1:{size + 1}")
    hs = sp.symbols(f"yhat1:{size + 1}")
    rhs = sp.Add(
        _bce(ys[0], hs[0], yhat_label),
        *((y - h) ** 2 for y, h in zip(ys[1:], hs[1:], strict=True)),
        evaluate=False,
    )
    names = {s: f"y_{i}" for i, s in enumerate(ys, 1)}
    names |= {s: rf"\hat{{y}}_{i}" for i, s in enumerate(hs, 1)}
    formula = Formula(r"L(y, \hat{y})", rhs, names)
    t1, p1 = rng.integers(0, 2, size=10).astype(float), dense.sigmoid(rng.standard_normal(10))
    targets, outputs = rng.uniform(1, 20, size=(2, measured, 10))
    expected = losses.binary_cross_entropy(t1, _probability_of_1(p1, yhat_label))
    expected = expected + sum(
        losses.squared_error(t, o) for t, o in zip(targets, outputs, strict=True)
    )
    values = {ys[0]: t1, hs[0]: p1}
    values |= dict(zip(ys[1:], targets, strict=True)) | dict(zip(hs[1:], outputs, strict=True))
    require(np.allclose(evaluate(formula, values), expected), "multi-task loss")
    return formula


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The losses with math.log on the printed tenths, and one label entry per target."""

    def term(label: int, prediction: float) -> float:
        given = prediction if params["yhat_label"] == 1 else 1 - prediction  # P(label 1)
        return math.log(given) if label == 1 else math.log(1 - given)

    labels, predictions = params["labels_d"], params["predictions_d"]
    return {
        "c": -term(params["label_c"], params["prediction_c"]),
        "d": -sum(map(term, labels, predictions)) / len(labels),
        "g.i": 2 + len(params["measurements"]),
    }
