"""Question 1: a logistic-regression baseline and a one-hidden-layer network.

The numbers are read off numpy layers built at the drawn sizes; the formulas
are sympy expressions checked against the layers' forward passes on random
values (a wrong formula fails generation, not a student).

Each copy draws what its answers depend on (issue 27: a neighbour's answers must not
fit): the features as two groups to add up, the number of labels (one sigmoid output
per label), whether vectors are columns or rows and how ``w`` holds its outputs, the
linear activation the hidden layer was left with, and which question (e) and (g) ask.
The original exam (``REPLICA``) is one label, 300 features, column vectors, the
identity in place of the hidden activation, and the original (e) and (g).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import (
    SIGMA,
    Accept,
    Formula,
    Model,
    dense,
    evaluate,
    require,
    sampling,
)

# Prediction tasks of the same shape as the seed's startup-funding one.  ``task`` and
# ``event`` are the original single-label wording; ``task_k`` and ``event_k`` ask one
# label per year, month, service or disease ({k} of them).
SCENARIOS = (
    {
        "id": "startup",
        "task": "whether a startup will raise funding (label = 1) or not (label = 0) in its "
        "first year",
        "task_k": "whether a startup will raise funding (label = 1) or not (label = 0) in "
        "each of its first {k} years, one label per year",
        "features": "the number of founders, the number of employees, the variance in the age "
        "of the employees",
        "item": "a startup",
        "event": "raises funding in its first year",
        "event_k": "raises funding in that year",
    },
    {
        "id": "loan-default",
        "task": "whether a borrower will default on a loan (label = 1) or repay it (label = 0)",
        "task_k": "whether a borrower will miss a loan payment (label = 1) or not (label = 0) "
        "in each of the next {k} months, one label per month",
        "features": "the borrower's income, the amount of the loan, the number of open credit "
        "lines",
        "item": "a borrower",
        "event": "defaults on the loan",
        "event_k": "misses a payment in that month",
    },
    {
        "id": "readmission",
        "task": "whether a patient will be readmitted to hospital within 30 days of discharge "
        "(label = 1) or not (label = 0)",
        "task_k": "whether a patient will be readmitted to hospital (label = 1) or not "
        "(label = 0) in each of the first {k} months after discharge, one label per month",
        "features": "the patient's age, the length of the stay, the number of prior admissions",
        "item": "a patient",
        "event": "is readmitted within 30 days",
        "event_k": "is readmitted in that month",
    },
    {
        "id": "churn",
        "task": "whether a subscriber will cancel their subscription next month (label = 1) or "
        "not (label = 0)",
        "task_k": "whether a subscriber will stop using a service next month (label = 1) or "
        "not (label = 0), for each of the {k} services of their plan, one label per service",
        "features": "the number of logins last month, the price of the plan, the number of "
        "support tickets",
        "item": "a subscriber",
        "event": "cancels next month",
        "event_k": "stops using that service next month",
    },
    {
        "id": "flight-delay",
        "task": "whether a flight will be delayed by more than 15 minutes (label = 1) or not "
        "(label = 0)",
        "task_k": "whether a flight will be delayed by more than 15 minutes (label = 1) or not "
        "(label = 0) on each of the next {k} days it is scheduled, one label per day",
        "features": "the departure hour, the distance flown, the number of flights scheduled at "
        "the airport",
        "item": "a flight",
        "event": "is delayed by more than 15 minutes",
        "event_k": "is delayed by more than 15 minutes on that day",
    },
    {
        "id": "crop-disease",
        "task": "whether a field's crop will be hit by blight this season (label = 1) or not "
        "(label = 0)",
        "task_k": "whether a field's crop will be hit (label = 1) or not (label = 0) by each "
        "of {k} crop diseases this season, one label per disease",
        "features": "the average humidity, the soil acidity, the number of rainy days",
        "item": "a field",
        "event": "is hit by blight this season",
        "event_k": "is hit by that disease this season",
    },
)

# Sizes keep the parameter count a two-digit-by-three-digit product.
FEATURES = tuple(range(20, 510, 10))
HIDDEN = (8, 10, 12, 16, 20, 24, 25, 30, 32, 40, 50, 60, 64, 80, 100, 128)
LABELS = (2, 3, 4, 5, 6)  # one sigmoid output per label; the original's single label is 1
# x^{(i)} as a column (n_x, 1) or a row (1, n_x); every layer's activations alike.
LAYOUTS = ("column", "row")
# w holds the weights of one output per column, (n_x, k), or per row, (k, n_x).
W_LAYOUTS = ("columns", "rows")
# The linear activation the hidden layer was left with, g(z) = c z.
SCALES = (2, 3, 4, 5, 6, 7, 8, 9)

# (e): why depth, asked one of four ways; each a one-sentence answer about what the
# layers of a network buy or cost.  ``question`` is LaTeX as printed.
DEPTH_QUESTIONS = (
    {
        "id": "efficiency",
        "question": "Recall that a neural network with a single hidden layer is sufficient to "
        "approximate any continuous function (with some assumptions on the activation). Why "
        "would you use neural networks with multiple layers?",
        "answer": "Deeper networks can represent the same function with fewer hidden units, "
        "i.e.\\ fewer parameters (weights): they are more efficient.",
        "rubric": (
            "Credit: fewer hidden units, or fewer parameters, or more efficient (fewer weights).",
            "No credit for saying deeper networks are easier to optimize or generalize better.",
            "No credit for saying they capture more features or more complex functions.",
        ),
    },
    {
        "id": "hidden-layer",
        "question": "Your baseline logistic regression has no hidden layer. Why can a network "
        "with a hidden layer (and a non-linear activation) fit data that the baseline cannot "
        "fit, however long the baseline is trained?",
        "answer": "Logistic regression can only separate the classes by a linear decision "
        "boundary (a hyperplane $w^T x + b = 0$); a hidden layer with a non-linear activation "
        "combines the features non-linearly, so the network can draw non-linear decision "
        "boundaries.",
        "rubric": (
            "Credit: the baseline's decision boundary is linear (a hyperplane); the hidden "
            "layer's non-linear activation gives non-linear boundaries (or non-linear "
            "combinations of the features).",
            "No credit for only saying the network has more parameters.",
        ),
    },
    {
        "id": "drawback",
        "question": "Give one reason why making your network much deeper (adding many hidden "
        "layers) can make it harder to train.",
        "answer": "Backpropagation multiplies the gradient by every layer's weights and "
        "activation derivatives, so through many layers the gradients can vanish or explode: "
        "the early layers learn very slowly, or training becomes unstable.",
        "rubric": (
            "Credit: vanishing or exploding gradients (the early layers learn slowly, or "
            "training diverges).",
            "Also credit: many more parameters to fit, so more data, memory and computation "
            "per step are needed.",
            "No credit for saying a deeper network cannot represent the function.",
        ),
    },
    {
        "id": "hierarchy",
        "question": "In a network with several hidden layers, what do the later hidden layers "
        "compute compared with the first hidden layer?",
        "answer": "Each layer combines the features computed by the layer before it: the first "
        "hidden layer detects simple patterns of the input features, and later layers compose "
        "them into more complex, abstract features (a hierarchy of features).",
        "rubric": (
            "Credit: later layers compute more complex (abstract) features by combining the "
            "simpler features of the earlier layers (a hierarchy of features).",
            "No credit for only saying later layers have more neurons or parameters.",
        ),
    },
)

# (g): an activation inserted before the output sigmoid, y = sigma(g(z)).  Each needs
# the range of g, the sigmoid over that range, and what that does to the predictions;
# ``low`` and ``high`` are g's range, which solve() checks on the engine's values.
BEFORE_SIGMOID = (
    {
        "id": "relu",
        "inserted": "a ReLU",
        "name": r"\mathrm{ReLU}",
        "definition": "",
        "low": 0.0,
        "high": np.inf,
        "answer": "Since the final ReLU never outputs a negative number, the sigmoid's input "
        "is at least 0, so every output is at least 0.5 and all inputs are classified as "
        "positive.",
        "rubric": (
            "Credit for noting that $\\hat{y} \\geq 0.5$ always, so every example is "
            "predicted positive.",
        ),
    },
    {
        "id": "tanh",
        "inserted": "a $\\tanh$ activation",
        "name": r"\tanh",
        "definition": "",
        "low": -1.0,
        "high": 1.0,
        "answer": "Since $\\tanh(z)$ lies between $-1$ and $1$, every output lies between "
        "$\\sigma(-1) \\approx 0.27$ and $\\sigma(1) \\approx 0.73$: the network can never "
        "make a confident prediction, and the loss stays high even on examples it "
        "classifies correctly.",
        "rubric": (
            "Credit for noting that $\\sigma(-1) < \\hat{y} < \\sigma(1)$, i.e.\\ about 0.27 "
            "to 0.73, so no prediction can be confident (the loss cannot approach 0).",
            "No credit for saying every example is predicted positive: $\\tanh(z)$ has the "
            "sign of $z$.",
        ),
    },
    {
        "id": "elu",
        "inserted": "an ELU",
        "name": r"\mathrm{ELU}",
        "definition": " (where $\\mathrm{ELU}(z) = z$ for $z \\geq 0$ and $e^z - 1$ for $z < 0$)",
        "low": -1.0,
        "high": np.inf,
        "answer": "Since $\\mathrm{ELU}(z) > -1$, every output is above $\\sigma(-1) \\approx "
        "0.27$: the network can never confidently predict label 0, and the loss on negative "
        "examples stays high even when they are classified correctly.",
        "rubric": (
            "Credit for noting that $\\hat{y} > \\sigma(-1) \\approx 0.27$ always, so no "
            "example can be predicted negative with confidence (the loss on negatives cannot "
            "approach 0).",
            "No credit for saying every example is predicted positive: "
            "$\\mathrm{ELU}(z) < 0$ when $z < 0$.",
        ),
    },
    {
        "id": "elu-half",
        "inserted": "an ELU with $\\alpha = 0.5$",
        "name": r"\mathrm{ELU}",
        "definition": " (where $\\mathrm{ELU}(z) = z$ for $z \\geq 0$ and $0.5(e^z - 1)$ for "
        "$z < 0$)",
        "low": -0.5,
        "high": np.inf,
        "answer": "Since $\\mathrm{ELU}(z) > -0.5$, every output is above $\\sigma(-0.5) "
        "\\approx 0.38$: the network can never confidently predict label 0, and the loss on "
        "negative examples stays high even when they are classified correctly.",
        "rubric": (
            "Credit for noting that $\\hat{y} > \\sigma(-0.5) \\approx 0.38$ always, so no "
            "example can be predicted negative with confidence (the loss on negatives cannot "
            "approach 0).",
            "No credit for saying every example is predicted positive: "
            "$\\mathrm{ELU}(z) < 0$ when $z < 0$.",
        ),
    },
)

# What a student must do, the same for every variant of a part (issue 27).
STEPS = {
    "a": ("add the two groups of features",),
    "b.i": ("one weight per input feature and output", "multiply features by outputs"),
    "b.ii": ("one bias per output unit",),
    "c.i": ("one probability per label",),
    "c.ii": ("orient w and x so the product gives one value per output", "add b",
             "apply the sigmoid"),
    "d": ("weights of each layer: inputs times units", "biases: one per unit"),
    "e": ("relate the layers of a network to what it can compute or learn",
          "justify in one sentence"),
    "f.i": ("compose the two affine layers in the vectors' orientation",
            "apply the linear hidden activation", "apply the output sigmoid"),
    "f.ii": ("multiply the weight matrices in order, with the activation's factor",
             "carry the first bias through the second layer"),
    "g": ("range of the activation before the sigmoid", "sigmoid over that range",
          "consequence for the predictions"),
}  # fmt: skip

REPLICA = {
    "original": True,
    "scenario": SCENARIOS[0],
    "k": 1,
    "n_num": 300,
    "n_bin": 0,
    "n_x": 300,
    "n_h": 80,
    "layout": "column",
    "w_layout": "columns",
    "scale": 1,
    "depth": DEPTH_QUESTIONS[0],
    "before_sigmoid": {
        key: v for key, v in BEFORE_SIGMOID[0].items() if key not in ("low", "high")
    },
}

Y_HAT = r"\hat{y}^{(i)}"

# The formulas hold for every size, so they are built with symbolic dimensions (n_y is
# the number of labels); each variant checks them numerically at its own sizes.
N_X, N_H, N_Y = sp.symbols("n_x n_h n_y", positive=True, integer=True)


def _symbols(layout: str, w_layout: str) -> dict[str, sp.MatrixSymbol]:
    """The matrices of the question, shaped for column or row vectors."""
    column = layout == "column"
    w_shape = (N_X, N_Y) if w_layout == "columns" else (N_Y, N_X)

    def vector(name: str, n: sp.Symbol) -> sp.MatrixSymbol:
        return sp.MatrixSymbol(name, n, 1) if column else sp.MatrixSymbol(name, 1, n)

    return {
        "x": vector("x", N_X),
        "w": sp.MatrixSymbol("w", *w_shape),
        "b": vector("b", N_Y),
        "W1": sp.MatrixSymbol("W1", *((N_H, N_X) if column else (N_X, N_H))),
        "b1": vector("b1", N_H),
        "W2": sp.MatrixSymbol("W2", *((N_Y, N_H) if column else (N_H, N_Y))),
        "b2": vector("b2", N_Y),
    }


PRINTED = {"x": "x^{(i)}", "W1": "W^{[1]}", "b1": "b^{[1]}", "W2": "W^{[2]}", "b2": "b^{[2]}"}


def _names(s: dict[str, sp.MatrixSymbol]) -> dict[sp.Basic, str]:
    return {s[key]: printed for key, printed in PRINTED.items()}


def _mul(*factors: sp.Basic) -> sp.Basic:
    return sp.MatMul(*factors, evaluate=False)


def _add(*terms: sp.Basic) -> sp.Basic:
    return sp.MatAdd(*terms, evaluate=False)


def _scaled(scale: int, *factors: sp.Basic) -> sp.Basic:
    """A product with the activation's factor in front (none for the identity)."""
    return _mul(*factors) if scale == 1 else _mul(sp.Integer(scale), *factors)


def logistic_formula(p: dict[str, Any]) -> Formula:
    """sigma(w^T x + b), sigma(w x + b), sigma(x w + b) or sigma(x w^T + b)."""
    s = _symbols(p["layout"], p["w_layout"])
    x, w, b = s["x"], s["w"], s["b"]
    by_columns = p["w_layout"] == "columns"
    if p["layout"] == "column":
        product = _mul(w.T, x) if by_columns else _mul(w, x)
    else:
        product = _mul(x, w) if by_columns else _mul(x, w.T)
    return Formula(Y_HAT, SIGMA(_add(product, b)), _names(s))


def network_formula(p: dict[str, Any]) -> Formula:
    """sigma(c W2 (W1 x + b1) + b2), or with row vectors sigma(c (x W1 + b1) W2 + b2)."""
    s = _symbols(p["layout"], p["w_layout"])
    if p["layout"] == "column":
        hidden = _add(_mul(s["W1"], s["x"]), s["b1"])
        out = _scaled(p["scale"], s["W2"], hidden)
    else:
        hidden = _add(_mul(s["x"], s["W1"]), s["b1"])
        out = _scaled(p["scale"], hidden, s["W2"])
    return Formula(Y_HAT, SIGMA(_add(out, s["b2"])), _names(s))


def collapse_formulas(p: dict[str, Any]) -> list[Formula]:
    """w' = c W2 W1 and b' = c W2 b1 + b2 (with row vectors c W1 W2 and c b1 W2 + b2)."""
    s = _symbols(p["layout"], p["w_layout"])
    W1, b1, W2, b2 = s["W1"], s["b1"], s["W2"], s["b2"]
    if p["layout"] == "column":
        w_prime, b_prime = _scaled(p["scale"], W2, W1), _add(_scaled(p["scale"], W2, b1), b2)
    else:
        w_prime, b_prime = _scaled(p["scale"], W1, W2), _add(_scaled(p["scale"], b1, W2), b2)
    names = _names(s)
    return [Formula("w'", w_prime, names), Formula("b'", b_prime, names)]


def _sizes(rng: np.random.Generator) -> tuple[int, int, int, int]:
    """n_x, n_bin, n_h and k; the counts (a) and (b)(i) ask are printed nowhere else."""
    n_x = int(rng.choice(FEATURES))
    n_bin = 10 * int(rng.integers(1, n_x // 10))  # both groups at least 10 features
    return n_x, n_bin, int(rng.choice(HIDDEN)), int(rng.choice(LABELS))


def sample(rng: np.random.Generator) -> dict[str, Any]:
    n_x, n_bin, n_h, k = sampling.until(
        lambda: _sizes(rng), lambda s: s[2] not in (s[0], s[0] * s[3])
    )
    before = BEFORE_SIGMOID[rng.integers(len(BEFORE_SIGMOID))]
    scenario = SCENARIOS[rng.integers(len(SCENARIOS))]
    return {
        "original": False,
        "scenario": {**scenario, "task_k": scenario["task_k"].format(k=k)},
        "k": k,
        "n_num": n_x - n_bin,
        "n_bin": n_bin,
        "n_x": n_x,
        "n_h": n_h,
        "layout": LAYOUTS[rng.integers(len(LAYOUTS))],
        "w_layout": W_LAYOUTS[rng.integers(len(W_LAYOUTS))],
        "scale": int(rng.choice(SCALES)),
        "depth": DEPTH_QUESTIONS[rng.integers(len(DEPTH_QUESTIONS))],
        "before_sigmoid": {key: v for key, v in before.items() if key not in ("low", "high")},
    }


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    k, n_h, layout = params["k"], params["n_h"], params["layout"]
    # x^{(i)} is the numeric features followed by the binary ones.
    x = np.concatenate([np.zeros((params["n_num"], 1)), np.zeros((params["n_bin"], 1))])
    n_x = int(x.shape[0])
    require(n_x == params["n_x"], "n_x is the two feature groups together")
    baseline = dense.Dense.zeros(n_x, k)  # logistic regression: one sigmoid unit per label
    network = dense.mlp([n_x, n_h, k])
    prediction = dense.sigmoid(baseline(x))
    weights, biases = dense.parameter_counts(network)
    _check_activation_before_sigmoid(params["before_sigmoid"]["id"], rng)
    vector = rf"${k} \times 1$" if layout == "column" else rf"$1 \times {k}$"
    c_ii = Accept(_logistic_formula(params, rng))
    if params["original"]:  # the original's w had no stated orientation: both are right
        c_ii = Accept(c_ii.value, (r"$\sigma(w x^{(i)} + b)$ with $w$ a row vector",))
    depth, before = params["depth"], params["before_sigmoid"]
    return {
        "a": baseline.n_in,
        "b.i": Accept(baseline.weight_count, (rf"${n_x} \times {k}$", rf"${k} \times {n_x}$")),
        "b.ii": Accept(baseline.bias_count, (vector,)),
        "c.i": Accept(int(prediction.size), (vector,)),
        "c.ii": c_ii,
        "d": [weights, biases],
        "e": Model(depth["answer"], rubric=tuple(depth["rubric"])),
        "f.i": _network_formula(params, rng),
        "f.ii": Accept(_collapse_formulas(params, rng), (_transposed(params),)),
        "g": Model(before["answer"], rubric=tuple(before["rubric"])),
        "steps": STEPS,
    }


def _random_layers(n_x: int, n_h: int, k: int, rng: np.random.Generator) -> list[dense.Dense]:
    return [dense.Dense.random(n_x, n_h, rng), dense.Dense.random(n_h, k, rng)]


def _oriented(p: dict[str, Any], values: dict[str, np.ndarray]) -> dict[sp.Basic, np.ndarray]:
    """Column-vector values (the engine's) given to the question's symbols: transposed
    when its vectors are rows; w as its layout holds it."""
    s = _symbols(p["layout"], p["w_layout"])
    row = p["layout"] == "row"
    out = {}
    for key, value in values.items():
        if key == "w":  # the engine's layer holds one output per row: (k, n_x)
            out[s[key]] = value.T if p["w_layout"] == "columns" else value
        else:
            out[s[key]] = value.T if row else value
    return out


def _output(p: dict[str, Any], columns: np.ndarray) -> np.ndarray:
    """The engine's (k, examples) output as the question's vectors hold it."""
    return columns.T if p["layout"] == "row" else columns


def _logistic_formula(p: dict[str, Any], rng: np.random.Generator) -> Formula:
    """The logistic-regression formula, checked against a dense layer of k sigmoid units."""
    formula = logistic_formula(p)
    layer = dense.Dense.random(p["n_x"], p["k"], rng)
    xs = rng.standard_normal((p["n_x"], 1))
    got = evaluate(formula, _oriented(p, {"w": layer.W, "b": layer.b, "x": xs}))
    require(np.allclose(got, _output(p, dense.sigmoid(layer(xs)))), "logistic-regression formula")
    return formula


def _network_values(layers: list[dense.Dense]) -> dict[str, np.ndarray]:
    first, second = layers
    return {"W1": first.W, "b1": first.b, "W2": second.W, "b2": second.b}


def _hidden_scaled(layers: list[dense.Dense], scale: int) -> list[dense.Dense]:
    """The network with its linear activation g(z) = c z folded into the first layer."""
    first, second = layers
    return [dense.Dense(scale * first.W, scale * first.b), second]


def _network_formula(p: dict[str, Any], rng: np.random.Generator) -> Formula:
    """The network's formula, checked against the two layers run with g(z) = c z between."""
    formula = network_formula(p)
    layers = _random_layers(p["n_x"], p["n_h"], p["k"], rng)
    xs = rng.standard_normal((p["n_x"], 1))
    first, second = layers
    expected = dense.sigmoid(second(p["scale"] * first(xs)))
    got = evaluate(formula, _oriented(p, {**_network_values(layers), "x": xs}))
    require(np.allclose(got, _output(p, expected)), "network formula")
    return formula


def _transposed(p: dict[str, Any]) -> str:
    """The official rubric accepts w' transposed (one output per column or per row)."""
    w_prime, b_prime = (f.rhs_latex for f in collapse_formulas(p))
    if p["original"]:
        reading = "is a column vector"
    else:  # c W2 W1 holds an output per row (column vectors), c W1 W2 per column (rows)
        reading = "holds an output per " + ("column" if p["layout"] == "column" else "row")
    return rf"$w' = ({w_prime})^T; b' = {b_prime}$ if $w'$ {reading}"


def _collapse_formulas(p: dict[str, Any], rng: np.random.Generator) -> list[Formula]:
    """w' and b', checked by collapsing random layers (the activation's factor folded into
    the first) and comparing the outputs."""
    formulas = collapse_formulas(p)
    layers = _random_layers(p["n_x"], p["n_h"], p["k"], rng)
    oriented = _oriented(p, _network_values(layers))
    w_prime, b_prime = (evaluate(f, oriented) for f in formulas)
    columns = p["layout"] == "column"
    collapsed = dense.Dense(w_prime if columns else w_prime.T, b_prime if columns else b_prime.T)
    inputs = rng.standard_normal((p["n_x"], 16))
    first, second = layers
    network = dense.sigmoid(second(p["scale"] * first(inputs)))
    require(
        np.allclose(dense.sigmoid(collapsed(inputs)), network),
        "collapse of the linear network into logistic regression",
    )
    engine = dense.collapse_linear(_hidden_scaled(layers, p["scale"]))
    require(np.allclose(collapsed.W, engine.W) and np.allclose(collapsed.b, engine.b),
            "w' and b' are the engine's collapse")  # fmt: skip
    return formulas


ACTIVATIONS = {
    "relu": dense.relu,
    "tanh": np.tanh,
    "elu": lambda z: np.where(z >= 0, z, np.expm1(np.minimum(z, 0.0))),
    "elu-half": lambda z: np.where(z >= 0, z, 0.5 * np.expm1(np.minimum(z, 0.0))),
}


def _check_activation_before_sigmoid(which: str, rng: np.random.Generator) -> None:
    """The model answer's range holds on random pre-activations: sigma(g(z)) stays within
    sigma(low) and sigma(high), and comes close to both."""
    spec = next(s for s in BEFORE_SIGMOID if s["id"] == which)
    z = np.concatenate([rng.standard_normal(1000) * 10, [-50.0, 50.0]])
    g = ACTIVATIONS[which](z)
    y = dense.sigmoid(g)
    low, high = dense.sigmoid(np.array([spec["low"], spec["high"]]))
    require(bool(np.all((g >= spec["low"]) & (g <= spec["high"]))), f"range of {which}(z)")
    require(bool(np.all((y >= low) & (y <= high))), f"sigma({which}(z)) in its range")
    require(bool(np.isclose(y.min(), low, atol=1e-6)), f"sigma({which}(z)) reaches {low:.2f}")
    if which == "relu":
        require(bool(np.all(y >= 0.5)), "sigma(ReLU(z)) >= 0.5")


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The counts by hand: the features added up, one weight per feature and label,
    n_x * n_h + n_h * k weights and n_h + k biases in the network."""
    n_x, n_h, k = params["n_num"] + params["n_bin"], params["n_h"], params["k"]
    return {"a": n_x, "b.i": n_x * k, "b.ii": k, "c.i": k, "d": [n_x * n_h + n_h * k, n_h + k]}
